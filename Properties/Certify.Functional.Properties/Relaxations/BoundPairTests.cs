using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.DeepPoly;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Relaxations;

/// <summary>One chain carrying both sides (<see cref="LinearBoundPair"/>: factored low-rank difference, unit rows,
/// compaction, or two separate sides when many neurons cross) gives the same pre-activation bounds, up to float
/// summation order, as the lower and the upper chain run one side at a time.</summary>
public class BoundPairTests : TorchTest
{
    [Theory]
    [InlineData(0.05, 1.5, false)]    // few crossing neurons: factored, with unit rows
    [InlineData(0.05, 1.5, true)]     // … and dead-neuron compaction
    [InlineData(0.05, -2.5, true)]    // mostly dead: compacted
    [InlineData(0.0, 0.0, true)]      // no crossing neuron: the sides never part
    [InlineData(0.8, 0.0, true)]      // many crossing: separate sides
    [InlineData(0.3, 0.0, false)]     // a mix: factored at the first ReLU, separate at the second
    public void Pair_chain_matches_two_one_sided_chains(double crossing, double shift, bool compact)
    {
        using var scope = NewDisposeScope();
        long batch = 5, inputs = 11, n1 = 30, n2 = 24, k = 40;
        var dense0 = new Dense(randn(n1, inputs), randn(n1));
        var dense2 = new Dense(randn(n2, n1), randn(n2));
        var dense4 = new Dense(randn(k, n2), randn(k));
        ReluEnvelope Envelope(long n)
        {
            var center = randn(batch, n) * 2 + shift;
            var radius = where(rand(batch, n) < crossing, center.abs() * 1.5 + 0.01, center.abs() * 0.5);
            return CrownEnvelopes.Compute(new CrownOptions(), new Box(center, radius));
        }
        var (envelope1, envelope3) = (Envelope(n1), Envelope(n2));
        var x = rand(batch, inputs);
        var (lo, hi) = (x - 0.1, x + 0.1);

        var pair = DenseDeepPoly.BackwardPair(dense4, LinearBoundPair.Identity);
        pair = ReluDeepPoly.BackwardPair(envelope3, pair, compact);
        pair = DenseDeepPoly.BackwardPair(dense2, pair);
        pair = ReluDeepPoly.BackwardPair(envelope1, pair, compact);
        pair = DenseDeepPoly.BackwardPair(dense0, pair);
        var (lower, upper) = InputDeepPoly.ConcretizePair(pair, lo, hi);

        Tensor OneSide(bool isLower)
        {
            var b = DenseDeepPoly.Backward(dense4, LinearBound.Identity);
            b = DenseDeepPoly.Backward(dense2, ReluDeepPoly.Backward(envelope3, b, isLower, compact: false));
            b = DenseDeepPoly.Backward(dense0, ReluDeepPoly.Backward(envelope1, b, isLower, compact: false));
            return InputDeepPoly.Concretize(b, lo, hi, isLower);
        }
        var (expectedLower, expectedUpper) = (OneSide(true), OneSide(false));
        Assert.True(allclose(expectedLower.expand(lower.shape), lower, 1e-4, 1e-3), $"lower bounds differ by up to {(expectedLower - lower).abs().max().item<float>()}");
        Assert.True(allclose(expectedUpper.expand(upper.shape), upper, 1e-4, 1e-3), $"upper bounds differ by up to {(expectedUpper - upper).abs().max().item<float>()}");
        Assert.True((lower <= upper + 1e-3).all().item<bool>(), "lower above upper");
    }
}
