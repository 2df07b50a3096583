using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Shared;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Concrete;

/// <summary>Concrete domain, Conv2d: cross-correlation with zero padding (<see cref="Convolution.Apply"/>). Shapes: [B, C, H, W] → [B, C', H', W'].</summary>
public static class Conv2dConcrete
{
    /// <summary>The image of <paramref name="x"/> under <paramref name="layer"/>.</summary>
    public static Tensor Propagate(Conv2d layer, Tensor x) =>
        Convolution.Apply(layer, x, layer.Weight, layer.Bias);
}
