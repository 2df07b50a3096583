using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Verification.Optimization;
using Certify.Functional.Verification.Triangle;
using Certify.Functional.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Optimization;

/// <summary>
/// α-CROWN → triangle-LP (relaxations.md §3.11): with the same intermediate bounds, the optimum of CROWN's final lower bound over
/// lower slopes α ∈ [0, 1] equals the triangle-LP value of the final specification. With one hidden layer both methods
/// use the exact interval bounds of the first layer, so after enough steps α-CROWN must reach the LP value within 1e-3
/// (and never exceed it: the LP is the tightest single-neuron convex relaxation).
/// </summary>
public class AlphaCrownConvergesToTriangleLpTests : TorchTest
{
    [Theory]
    [InlineData(11, 6, 0.2)]
    [InlineData(12, 8, 0.3)]
    [InlineData(13, 10, 0.15)]
    public void Alpha_crown_reaches_the_triangle_lp_value_on_one_hidden_layer(int seed, int hidden, double eps)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(seed);
        var description = NetworkDescription.Declared("one-hidden", Shape.Of(5), new DenseDeclaration(hidden), new ReluDeclaration(), new DenseDeclaration(4));
        using var net = new InterpretedNetwork(description);
        var x = rand(3, 5);
        var y = tensor(new long[] { 0, 2, 3 });
        using var _ = no_grad();
        var lp = TriangleLp.Bounds(net, x, y, eps).DiffLower.to(float64);
        var crown = Verifier.Bounds(net, x, y, eps, Domain.DeepPoly).DiffLower.to(float64);
        var alpha = Verifier.Bounds(net, x, y, eps, new AlphaCrownDomain("alpha-crown", new AlphaCrownOptions(Steps: 400, LearningRate: 0.05, Decay: 0.99))).DiffLower.to(float64);
        Assert.True(lp.ge(crown - 1e-5).all().item<bool>(), "the LP is at least as tight as CROWN");
        Assert.True(alpha.le(lp + 1e-4).all().item<bool>(), $"α-CROWN above the LP optimum by {(alpha - lp).max().item<double>()}");
        double gap = (lp - alpha).max().item<double>();
        Assert.True((lp - crown).max().item<double>() > 1e-2, "CROWN is visibly looser than the LP here, so convergence is tested, not assumed");
        Assert.True(gap <= 1e-3, $"α-CROWN is {gap} below the triangle-LP value after 400 steps (CROWN was {(lp - crown).max().item<double>()} below)");
    }
}
