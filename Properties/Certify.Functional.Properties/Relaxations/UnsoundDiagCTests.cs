using Certify.Functional.Layers;
using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Properties.Laws;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Verification;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Relaxations;

/// <summary>
/// relaxations.md §3.4's known defect, on the spec's own numbers: x ∈ [0, 1] (x₀ = 0.5, ε = 0.5), pre-activation 4x − 10 ∈
/// [−10, −6] (a dead neuron), ReLU, then logits (−relu, 0). The reference's zdiag-c shifts the dead neuron by
/// −l/2 = 5 without a noise symbol, so it claims relu ∈ [−5, −1] — excluding the true value 0 — and "certifies"
/// z₀ − z₁ ≥ 1 although z₀ − z₁ = 0 everywhere. The sound zdiag-c contains the point; Certify refuses the defect.
/// </summary>
[Collection(LawCollection.Name)]
public sealed class UnsoundDiagCTests : TorchTest
{
    static InterpretedNetwork DeadNeuronNetwork()
    {
        var net = new InterpretedNetwork(NetworkDescription.Declared("dead", Shape.Of(1),
            new DenseDeclaration(1), new ReluDeclaration(), new DenseDeclaration(2)));
        using (no_grad())
        {
            net.DenseAt(0).Weight.copy_(tensor(new float[] { 4 }).view(1, 1));
            net.DenseAt(0).Bias.copy_(tensor(new float[] { -10 }));
            net.DenseAt(2).Weight.copy_(tensor(new float[] { -1, 0 }).view(2, 1));
            net.DenseAt(2).Bias.copy_(tensor(new float[] { 0, 0 }));
        }
        return net;
    }

    [Fact]
    public void Defect_compatible_zdiag_c_excludes_a_reachable_point()
    {
        using var scope = NewDisposeScope();
        using var net = DeadNeuronNetwork();
        using var _ = no_grad();
        var x = tensor(new float[] { 0.5f }).view(1, 1);
        var y = tensor(new long[] { 0 });
        var unsound = SoundnessLaw.Parse("zdiag-c-unsound");
        Assert.False(unsound.IsSound);

        var pre = Verifier.Bounds(net, x, y, 0.5, unsound).PreActivation[0];
        Assert.Equal(-10.0, pre.Lower.item<float>(), 5);
        Assert.Equal(-6.0, pre.Upper.item<float>(), 5);

        // The sampled point x' = 0.3 (any point of [0, 1] would do): relu(4·0.3 − 10) = 0, so z₀ − z₁ = 0 and z₀ = 0.
        var point = tensor(new double[] { 0.3 }).view(1, 1);
        var trace = Float64Reference.Forward(net, point);
        Assert.Equal(0.0, trace.Logits[0, 0].item<double>());
        var diffs = Verifier.Bounds(net, x, y, 0.5, unsound);
        var eye = Verifier.Bounds(net, x, y, 0.5, unsound, SpecKind.Eye);
        Assert.Equal(1.0, diffs.DiffLower.item<float>(), 5);                  // claims z₀ − z₁ ≥ 1
        Assert.Equal(1.0, eye.Logits!.Lower[0, 0].item<float>(), 5);           // relu ∈ [−5, −1], so z₀ = −relu ∈ [1, 5]
        Assert.Equal(5.0, eye.Logits!.Upper[0, 0].item<float>(), 5);
        Assert.True(diffs.Certified[0].item<bool>(), "the defect certifies a point that is not robust (z₀ = z₁ = 0)");
        var ex = Assert.Throws<Xunit.Sdk.XunitException>(() =>
            Tolerance.AtLeast("zdiag-c-unsound", diffs.DiffLower, trace.Logits.unsqueeze(0).narrow(2, 0, 1)));
        Assert.Contains("below the lower bound", ex.Message);

        Assert.Throws<ArgumentException>(() => Verifier.Certify(net, x, y, 0.5, unsound));
    }

    [Fact]
    public void Sound_zdiag_c_contains_the_point_and_does_not_certify()
    {
        using var scope = NewDisposeScope();
        using var net = DeadNeuronNetwork();
        using var _ = no_grad();
        var x = tensor(new float[] { 0.5f }).view(1, 1);
        var y = tensor(new long[] { 0 });
        var sound = SoundnessLaw.Parse("zdiag-c");
        var points = tensor(new double[] { 0, 0.3, 1 }).view(1, 3, 1);
        var trace = Float64Reference.Forward(net, points.flatten(0, 1));
        var values = (trace.Logits.narrow(1, 0, 1) - trace.Logits.narrow(1, 1, 1)).view(1, 3, 1);
        var diffs = Verifier.Bounds(net, x, y, 0.5, sound);
        Tolerance.AtLeast("zdiag-c", diffs.DiffLower, values);
        var eye = Verifier.Bounds(net, x, y, 0.5, sound, SpecKind.Eye);
        Tolerance.AtLeast("zdiag-c logits", eye.Logits!.Lower, trace.Logits.view(1, 3, 2));
        Tolerance.AtMost("zdiag-c logits", eye.Logits!.Upper, trace.Logits.view(1, 3, 2));
        Assert.False(Verifier.Certify(net, x, y, 0.5, sound)[0].item<bool>());
    }

    [Fact]
    public void Pinned_generated_counterexample_even_at_eps_zero()
    {
        // Found by the soundness law (Replay (9431762108551,5170381), shrunk): padded-border conv neurons are dead (bias only) and get shifted.
        var c = new NetworkCase(new Architecture(Shape.Of(1, 4, 4), [new Conv2dDeclaration(2, 1, 2, 1), new ReluDeclaration(), new FlattenDeclaration(), new DenseDeclaration(2)]),
            Seed: 1778093944, Scale: 1, Eps: 0, Batch: 1, LabelValues: [1]);
        var ex = Assert.Throws<Xunit.Sdk.XunitException>(() => SoundnessLaw.Holds("zdiag-c-unsound", c));
        Assert.Contains("below the lower bound", ex.Message);
        SoundnessLaw.Holds("zdiag-c", c);
    }
}
