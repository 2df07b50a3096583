using Certify.Functional.Layers;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Shared;

/// <summary>
/// The convolutions every relaxation uses, on paths whose native kernels are known to be right.
/// <para>libtorch 2.10's oneDNN transposed convolution (<c>conv_transpose2d</c>, and the input gradient of
/// <c>conv2d</c>, which is the same primitive) returns wrong float32 values for about 40 % of small shapes on AVX-512
/// CPUs (AMD EPYC: errors of 1–15, NaN). So nothing here calls it:</para>
/// <list type="bullet">
/// <item><description><see cref="Apply"/>: the forward convolution. Without a gradient to carry it is the native
/// <c>conv2d</c> (forward kernels are right; <c>KernelCheck</c> checks them once per process). When a gradient may flow
/// it is im2col: <c>unfold</c> and a matrix product, whose backward is <c>fold</c> and matrix products.</description></item>
/// <item><description><see cref="Transpose"/>: a coefficient matrix times the convolution's matrix (back-substitution,
/// relaxations.md §3.7) as matrix products and <c>fold</c> (col2im), whose backward is <c>unfold</c>; and <see cref="Matrix"/>:
/// that matrix itself, its weights scattered into place (no arithmetic, so every entry is exact), where
/// back-substitution starts.</description></item>
/// </list>
/// </summary>
public static class Convolution
{
    /// <summary>conv(x, <paramref name="weight"/>) + <paramref name="bias"/> with the layer's stride and zero padding:
    /// [N, C, H, W] → [N, C', H', W'].</summary>
    public static Tensor Apply(Conv2d layer, Tensor x, Tensor weight, Tensor? bias)
    {
        if (!is_grad_enabled() || !(x.requires_grad || weight.requires_grad || bias is { requires_grad: true }))
            return nn.functional.conv2d(x, weight, bias, strides: [layer.Stride, layer.Stride], padding: [layer.Padding, layer.Padding]);
        long k = weight.shape[2], h = OutputSize(x.shape[2], k, layer), w = OutputSize(x.shape[3], k, layer);
        var columns = nn.functional.unfold(x, k, 1, layer.Padding, layer.Stride);             // [N, C·k·k, H'·W']
        var y = weight.flatten(1).matmul(columns);                                              // [N, C', H'·W']
        if (bias is not null) y = y + bias.unsqueeze(1);
        return y.view(x.shape[0], weight.shape[0], h, w);
    }

    /// <summary>The matrix M [C'·H'·W', C·H·W] of the layer's convolution without bias on inputs of shape
    /// <paramref name="inputShape"/> [C, H, W]: conv(x) = M·x for flattened x. Differentiable in the weights.</summary>
    public static Tensor Matrix(Conv2d layer, long[] inputShape)
    {
        var (places, taps, rows, columns) = Pattern(layer, inputShape);
        var values = layer.Weight.flatten().index_select(0, taps);
        return zeros(rows * columns, layer.Weight.dtype, layer.Weight.device).scatter(0, places, values).view(rows, columns);
    }

    /// <summary>A·M for coefficients <paramref name="a"/> [S, K, C', H', W'] over the layer's output: the same linear
    /// form over its input, [S, K, C, H, W] (the bias is not included). Computed as col2im: each output position's
    /// coefficients times Wᵀ give the coefficients of its C·k·k taps, and <c>fold</c> adds them into the pixels they read
    /// (C'·C·k² products per position instead of the explicit matrix's C'·H'·W'·C·H·W; the same cost as the reference's
    /// conv_transpose2d in training, measured, while A·M with the explicit matrix made a CONV DeepPoly step 2.8× slower).</summary>
    public static Tensor Transpose(Conv2d layer, long[] inputShape, Tensor a)
    {
        long k = layer.Weight.shape[2];
        var rows = a.flatten(0, 1).flatten(2);                                                  // [N, C', H'·W']
        var columns = layer.Weight.flatten(1).t().matmul(rows);                                 // [N, C·k·k, H'·W']
        var image = nn.functional.fold(columns, (inputShape[1], inputShape[2]), (k, k), (1, 1), (layer.Padding, layer.Padding), (layer.Stride, layer.Stride));
        return image.view([a.shape[0], a.shape[1], .. inputShape]);
    }

    /// <summary>Output size of one spatial dimension.</summary>
    public static long OutputSize(long input, long kernel, Conv2d layer) => (input + 2 * layer.Padding - kernel) / layer.Stride + 1;

    // Where each weight lands in the matrix: for output neuron (c', p) and tap (c, i, j) the input pixel
    // p·s − pad + (i, j), if inside the image: flat places row·columns + column (unique, so a plain scatter places
    // them) and the flat weight index of each.
    static (Tensor Places, Tensor Taps, long Rows, long Columns) Pattern(Conv2d layer, long[] inputShape)
    {
        var device = layer.Weight.device;
        long cOut = layer.Weight.shape[0], c = inputShape[0], h = inputShape[1], w = inputShape[2], k = layer.Weight.shape[2];
        long ho = OutputSize(h, k, layer), wo = OutputSize(w, k, layer), kk = k * k, spatial = ho * wo;
        // Pixel index + 1 of every tap of every output position (0 in the padding): [k·k, H'·W'], exact in float64.
        var pixels = (arange(1, h * w + 1, float64, device)).view(1, 1, h, w);
        var source = nn.functional.unfold(pixels, k, 1, layer.Padding, layer.Stride)[0].to(int64);
        var oc = arange(cOut, int64, device).view(-1, 1, 1, 1);
        var ic = arange(c, int64, device).view(1, -1, 1, 1);
        var tap = arange(kk, int64, device).view(1, 1, -1, 1);
        var position = arange(spatial, int64, device).view(1, 1, 1, -1);
        var pixel = source.view(1, 1, kk, spatial);
        var inside = pixel.gt(0).expand(cOut, c, kk, spatial).flatten();
        long columns = c * h * w;
        var places = ((oc * spatial + position) * columns + ic * (h * w) + pixel - 1).expand(cOut, c, kk, spatial).flatten().masked_select(inside);
        var taps = ((oc * c + ic) * kk + tap).expand(cOut, c, kk, spatial).flatten().masked_select(inside);
        return (places, taps, cOut * spatial, columns);
    }
}
