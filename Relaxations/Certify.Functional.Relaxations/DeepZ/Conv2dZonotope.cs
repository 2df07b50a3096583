using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Shared;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.DeepZ;

/// <summary>DeepZ, Conv2d (SPEC §3.3): center conv(c, W, b), generators conv(Eₖ, W) without bias. Exact.
/// Diagonal generators: the k unit images are convolved once for the whole batch. [B, C, H, W] → [B, C', H', W'].</summary>
public sealed class Conv2dZonotope : IRelaxation<Conv2d, Zonotope>
{
    /// <inheritdoc cref="IRelaxation{TLayer, TBound}.Propagate"/>
    public static Zonotope Propagate(Conv2d layer, Zonotope x) => new(
        Conv(layer, x.Center, layer.Bias),
        ErrorMaps.Linear(x.Errors, e => Generators(layer, e),
            p => (Conv(layer, UnitVectors.OneHot(p, x.Center.shape[1..], x.Center.dtype, x.Center.device), null), false)));

    /// <summary>The convolution of generators [B, m, C, H, W] (folded into the batch dimension).</summary>
    public static Tensor Generators(Conv2d layer, Tensor e)
    {
        var folded = Conv(layer, e.flatten(0, 1), null);
        return folded.view([e.shape[0], e.shape[1], .. folded.shape[1..]]);
    }

    static Tensor Conv(Conv2d layer, Tensor x, Tensor? bias) =>
        nn.functional.conv2d(x, layer.Weight, bias, strides: [layer.Stride, layer.Stride], padding: [layer.Padding, layer.Padding]);
}
