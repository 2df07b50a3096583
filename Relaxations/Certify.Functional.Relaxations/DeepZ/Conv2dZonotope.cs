using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Shared;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.DeepZ;

/// <summary>DeepZ, Conv2d (relaxations.md §3.3): center conv(c, W, b), generators conv(Eₖ, W) without bias. Exact.
/// Diagonal generators: the k unit images are convolved once for the whole batch. [B, C, H, W] → [B, C', H', W'].</summary>
public static class Conv2dZonotope
{
    /// <summary>The image of <paramref name="x"/> under <paramref name="layer"/>.</summary>
    public static Zonotope Propagate(Conv2d layer, Zonotope x) => new(
        Conv(layer, x.Center, layer.Bias),
        ErrorMaps.Linear(x.Errors, e => Conv(layer, e, null), x.Center.shape[1..]));

    static Tensor Conv(Conv2d layer, Tensor x, Tensor? bias) =>
        Convolution.Apply(layer, x, layer.Weight, bias);
}
