using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Shared;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.DeepPoly;

/// <summary>Back-substitution through Conv2d (SPEC §3.7): A ← conv_transpose2d(A, W, stride, padding,
/// output_padding = ((H + 2p − k) mod s, …)) for the conv input size H × W; Const += Σ_c (Σ_spatial A_c)·b_c. Exact.
/// From the identity it starts at the convolution's matrix, built once for the batch from the unit inputs.</summary>
public static class Conv2dDeepPoly
{
    /// <summary>The bound in terms of the layer's input of shape [C, H, W].</summary>
    public static LinearBound Backward(Conv2d layer, long[] inputShape, LinearBound bound)
    {
        if (bound.A is null)
        {
            long inputs = inputShape.Aggregate(1L, (x, y) => x * y);
            var images = nn.functional.conv2d(UnitVectors.OneHot(arange(inputs, dtype: int64, device: layer.Weight.device), inputShape, layer.Weight.dtype, layer.Weight.device),
                layer.Weight, null, strides: [layer.Stride, layer.Stride], padding: [layer.Padding, layer.Padding]);   // [in, C', H', W']
            var matrix = images.flatten(1).t().view([1, -1, .. inputShape]);      // [1, out, C, H, W]
            var bias = layer.Bias.view(-1, 1).expand(layer.Bias.shape[0], images.shape[2] * images.shape[3]).reshape(1, -1);
            return new(matrix, bias);
        }
        var a = bound.A;                                                        // [S, K, C', H', W']
        long h = inputShape[1], w = inputShape[2], k = layer.Weight.shape[2];
        var transposed = nn.functional.conv_transpose2d(a.flatten(0, 1), layer.Weight, null,
            strides: [layer.Stride, layer.Stride], padding: [layer.Padding, layer.Padding],
            output_padding: [(h + 2 * layer.Padding - k) % layer.Stride, (w + 2 * layer.Padding - k) % layer.Stride]);
        var constant = (a.sum([3L, 4L]) * layer.Bias).sum(2);                   // [S, K]
        return new(transposed.view([a.shape[0], a.shape[1], .. transposed.shape[1..]]), LinearBound.Add(bound.Const, constant));
    }

    /// <summary>Both sides at once (<see cref="SidePairs.Linear"/>).</summary>
    public static LinearBoundPair BackwardPair(Conv2d layer, long[] inputShape, LinearBoundPair bound) =>
        SidePairs.Linear(bound, b => Backward(layer, inputShape, b));
}
