using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.DeepPoly;

/// <summary>Back-substitution through Dense (relaxations.md §3.7): A ← A·W, Const += A·b (with the incoming A). Exact.
/// From the identity it starts at the weight itself (no identity matrix): A = W, Const = b.</summary>
public static class DenseDeepPoly
{
    /// <summary>The bound in terms of the layer's input. W [out, in] or per example [B, out, in].</summary>
    public static LinearBound Backward(Dense layer, LinearBound bound)
    {
        if (bound.A is null)
            return layer.Weight.dim() == 2
                ? new(layer.Weight.unsqueeze(0), layer.Bias.unsqueeze(0))
                : new(layer.Weight, layer.Bias);
        if (bound.Columns is { } columns)
        {
            // Compacted A [B, K, n']: multiply only the weight rows of each example's live neurons.
            long batch = columns.shape[0], kept = columns.shape[1];
            var rows = layer.Weight.index_select(0, columns.flatten()).view(batch, kept, -1);   // [B, n', in]
            var bias = layer.Bias.index_select(0, columns.flatten()).view(batch, 1, kept);
            return new(bmm(bound.A, rows), LinearBound.Add(bound.Const, (bound.A * bias).sum(2)));   // A·b per example, elementwise
        }
        var constant = layer.Bias.dim() == 1 ? matmul(bound.A, layer.Bias) : bmm(bound.A, layer.Bias.unsqueeze(2)).squeeze(2);
        return new(matmul(bound.A, layer.Weight), LinearBound.Add(bound.Const, constant));
    }

    /// <summary>Both sides at once (<see cref="SidePairs.Linear"/>).</summary>
    public static LinearBoundPair BackwardPair(Dense layer, LinearBoundPair bound) => SidePairs.Dense(layer, bound, b => Backward(layer, b));
}
