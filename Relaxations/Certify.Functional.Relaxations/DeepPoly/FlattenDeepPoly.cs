using Certify.Functional.Bounds;

namespace Certify.Functional.Relaxations.DeepPoly;

/// <summary>Back-substitution through Flatten: A [S, K, C·H·W] → [S, K, C, H, W] (the layer's input shape). Exact.
/// The identity passes through unchanged: flattening keeps the values, and the identity stands for them in any shape.</summary>
public static class FlattenDeepPoly
{
    /// <summary>The bound in terms of the layer's input of shape <paramref name="inputShape"/> (no batch).</summary>
    public static LinearBound Backward(long[] inputShape, LinearBound bound) => bound.A is null
        ? bound
        : bound with { A = bound.A.view([bound.A.shape[0], bound.A.shape[1], .. inputShape]) };

    /// <summary>Both sides at once (<see cref="SidePairs.Linear"/>).</summary>
    public static LinearBoundPair BackwardPair(long[] inputShape, LinearBoundPair bound) => SidePairs.Linear(bound, b => Backward(inputShape, b));
}
