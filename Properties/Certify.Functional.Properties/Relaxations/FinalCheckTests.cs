using System.Globalization;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Verification;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Relaxations;

/// <summary>
/// Certificates that clear float32 error (<see cref="FinalCheck"/>). The crafted case: a 2-class network with zero
/// biases whose first layer has non-negative weights on pixels that are 0 in the image and whose margin z₀ − z₁ has
/// non-negative coefficients, so z₀ − z₁ ≥ 0 on the ε-box with minimum exactly 0 (at the image itself, where the logits
/// tie). Every domain's exact lower bound is ≤ 0 there, but float32 rounding of the centre and the generators leaves a
/// residue of either sign: seeds whose float32 zono/hzono bound is positive are found, and none of them may certify.
/// </summary>
public sealed class FinalCheckTests(ITestOutputHelper log) : TorchTest
{
    static readonly NetworkDescription Architecture = NetworkDescription.Declared("crafted", Shape.Of(1, 28, 28),
        new FlattenDeclaration(), new DenseDeclaration(6), new ReluDeclaration(), new DenseDeclaration(2));

    // Weights on the first 300 pixels (0 in the image) only, non-negative; z₀ − z₁ = Σ (W₂[0] − W₂[1])·h ≥ 0.
    static InterpretedNetwork Crafted(int seed)
    {
        manual_seed(seed);
        var net = new InterpretedNetwork(Architecture);
        using (no_grad())
        {
            var w1 = net.DenseAt(1).Weight;
            w1.copy_(w1.abs());
            w1[.., 300..].zero_();
            net.DenseAt(1).Bias.zero_();
            var w2 = net.DenseAt(3).Weight;
            w2[1].copy_(w2[0] - w2[1].abs() - w2[0].abs());        // row 0 − row 1 = |W₂[1]| + |W₂[0]| ≥ 0
            net.DenseAt(3).Bias.zero_();
        }
        net.eval();
        return net;
    }

    static Tensor Image()
    {
        var x = rand(1, 1, 28, 28);
        x.view(-1)[..300].zero_();
        return x;
    }

    [Theory]
    [InlineData("zono")]
    [InlineData("hzono")]
    [InlineData("box")]
    [InlineData("deeppoly")]
    public void A_float32_bound_above_an_exact_minimum_of_zero_does_not_certify(string name)
    {
        var domain = Domain.Parse(name).Match(d => d, e => throw new Xunit.Sdk.XunitException(e.Message));
        var y = tensor(new long[] { 0 });
        int positive = 0;
        for (int seed = 0; seed < 300; seed++)
        {
            using var scope = NewDisposeScope();
            using var net = Crafted(seed);
            var x = Image();
            Tensor lower;
            using (no_grad()) lower = Verifier.Bounds(net, x, y, 0.1, domain).DiffLower;
            using (no_grad())
            {
                var atImage = net.forward(x);
                Assert.True(atImage[0, 0].item<float>() == atImage[0, 1].item<float>(), "at the image itself the two logits tie (margin exactly 0)");
            }
            if (lower.item<float>() <= 0) continue;
            positive++;
            Assert.False(Verifier.Certify(net, x, y, 0.1, domain).item<bool>(),
                string.Create(CultureInfo.InvariantCulture, $"seed {seed}: certified with a float32 lower bound {lower.item<float>():G3} although the exact minimum is 0"));
        }
        log.WriteLine($"{name}: {positive} of 300 seeds have a positive float32 lower bound; none certified");
        if (name is "zono" or "hzono") Assert.True(positive > 0, "the crafted case exists: some seed's float32 bound is above the exact minimum 0");
    }

    [Fact]
    public void Clear_margins_still_certify_and_the_float64_margin_is_tiny()
    {
        using var scope = NewDisposeScope();
        using var net = Crafted(1);
        var x = Image();
        x.view(-1)[..300].fill_(0.5);                        // away from 0: z₀ − z₁ > 0 on the whole box
        var y = tensor(new long[] { 0 });
        var domain = Domain.Parse("zono").Match(d => d, e => throw new Xunit.Sdk.XunitException(e.Message));
        Assert.True(Verifier.Certify(net, x, y, 0.1, domain).item<bool>());
        using var copy = FinalCheck.Float64Copy(net, CPU);
        double margin = DifferenceMargin.Of(copy, x.to(ScalarType.Float64), y, 0.1).max().item<double>();
        Assert.InRange(margin, 1e-300, 1e-9);
    }
}
