using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Concrete;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.DeepPoly;

/// <summary>Back-substitution through Normalize (relaxations.md §3.7): Const += Σ_c (Σ_spatial A_c)·(−μ_c/σ_c), A_c ← A_c/σ_c.
/// Exact (a per-channel affine map).</summary>
public static class NormalizeDeepPoly
{
    /// <summary>The bound in terms of the layer's input of shape <paramref name="inputShape"/>.</summary>
    public static LinearBound Backward(Normalize layer, long[] inputShape, LinearBound bound)
    {
        var a = bound.A ?? eye(inputShape.Aggregate(1L, (x, y) => x * y), dtype: layer.Mean.dtype, device: layer.Mean.device)
            .view([1, -1, .. inputShape]);
        var like = a.flatten(0, 1);                                             // channel dimension at 1
        var inverse = 1 / NormalizeConcrete.ChannelView(layer.Sigma, like);
        var shift = -NormalizeConcrete.ChannelView(layer.Mean, like) * inverse;
        var scaled = (like * inverse).view(a.shape);
        // Σ_c shift_c·(Σ_spatial A_c): per-channel sums first, so no A-sized product is written.
        var channelSums = like.dim() > 2 ? like.flatten(2).sum(2) : like;       // [S·K, C]
        var constant = (channelSums * shift.flatten().unsqueeze(0)).sum(1).view(a.shape[0], a.shape[1]);   // shift [C] or [1]
        return new(scaled, LinearBound.Add(bound.Const, constant));
    }

    /// <summary>Both sides at once (<see cref="SidePairs.Linear"/>).</summary>
    public static LinearBoundPair BackwardPair(Normalize layer, long[] inputShape, LinearBoundPair bound) =>
        SidePairs.Linear(bound, b => Backward(layer, inputShape, b));
}
