using Certify.Functional.Layers;
using static TorchSharp.torch;
using Certify.Functional.Bounds;
using Certify.Functional.Relaxations.Shared;

namespace Certify.Functional.Relaxations.Ibp;

/// <summary>IBP, Conv2d (relaxations.md §3.3): center conv(c, W, b), radius conv(r, |W|). Sound as for Dense (a convolution
/// is a linear map). Shapes [B, C, H, W] → [B, C', H', W'].</summary>
public static class Conv2dBox
{
    /// <summary>The image of <paramref name="x"/> under <paramref name="layer"/>.</summary>
    public static Box Propagate(Conv2d layer, Box x) => new(
        Convolution.Apply(layer, x.Center, layer.Weight, layer.Bias),
        Convolution.Apply(layer, x.Radius, layer.Weight.abs(), null));
}
