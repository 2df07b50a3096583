using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Shared;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.DeepPoly;

/// <summary>Back-substitution through Conv2d (relaxations.md §3.7): A ← A·M with M the convolution's matrix
/// (<see cref="Convolution.Transpose"/>; the reference's conv_transpose2d computes the same product, but libtorch's oneDNN
/// kernel for it is wrong on AVX-512 CPUs); Const += Σ_c (Σ_spatial A_c)·b_c. Exact.
/// From the identity it starts at M itself (<see cref="Convolution.Matrix"/>).</summary>
public static class Conv2dDeepPoly
{
    /// <summary>The bound in terms of the layer's input of shape [C, H, W].</summary>
    public static LinearBound Backward(Conv2d layer, long[] inputShape, LinearBound bound)
    {
        if (bound.A is null)
        {
            var matrix = Convolution.Matrix(layer, inputShape);                         // [C'·H'·W', C·H·W]
            long spatial = matrix.shape[0] / layer.Bias.shape[0];
            var bias = layer.Bias.view(-1, 1).expand(layer.Bias.shape[0], spatial).reshape(1, -1);
            return new(matrix.view([1, -1, .. inputShape]), bias);
        }
        var a = bound.A;                                                        // [S, K, C', H', W']
        var constant = (a.sum([3L, 4L]) * layer.Bias).sum(2);                   // [S, K]
        return new(Convolution.Transpose(layer, inputShape, a), LinearBound.Add(bound.Const, constant));
    }

    /// <summary>Both sides at once (<see cref="SidePairs.Linear"/>).</summary>
    public static LinearBoundPair BackwardPair(Conv2d layer, long[] inputShape, LinearBoundPair bound) =>
        SidePairs.Linear(bound, b => Backward(layer, inputShape, b));
}
