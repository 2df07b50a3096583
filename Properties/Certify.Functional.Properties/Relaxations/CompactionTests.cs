using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.DeepPoly;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Relaxations;

/// <summary>Dropping dead neurons before a Dense back-substitution step computes the same bound (up to float
/// summation order) as the dense computation, for shared and per-example A, lower and upper sides.</summary>
public class CompactionTests : TorchTest
{
    [Theory]
    [InlineData(1, true)]
    [InlineData(6, true)]
    [InlineData(6, false)]
    public void Compacted_and_dense_back_substitution_agree(int shared, bool lower)
    {
        using var scope = NewDisposeScope();
        long batch = 6, k = 7, n = 40, inputs = 13;
        var l = randn(batch, n) - 2.5;                                          // mostly dead
        var u = l + rand(batch, n) * 2;
        var envelope = CrownEnvelopes.Compute(new CrownOptions(), Box.FromBounds(l, u));
        var a = randn(shared, k, n);
        var layer = new Dense(randn(n, inputs), randn(n));
        var start = new LinearBound(a, randn(shared == 1 ? batch : shared, k));
        var dense = DenseDeepPoly.Backward(layer, ReluDeepPoly.Backward(envelope, start, lower, compact: false));
        var compactStep = ReluDeepPoly.Backward(envelope, start, lower, compact: true);
        Assert.NotNull(compactStep.Columns);
        Assert.True(compactStep.A!.shape[2] < n, "most neurons are dead, so the compacted A is narrower");
        var compacted = DenseDeepPoly.Backward(layer, compactStep);
        Assert.True(allclose(dense.A!.expand(compacted.A!.shape), compacted.A!, 1e-5, 1e-5), "coefficients differ");
        Assert.True(allclose(dense.Const!.expand(compacted.Const!.shape), compacted.Const!, 1e-5, 1e-5), "constants differ");
    }
}
