using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Shared;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Concrete;

/// <summary>Concrete domain, Conv2d: cross-correlation with zero padding (<see cref="Convolution.Apply"/>). Shapes: [B, C, H, W] → [B, C', H', W'].</summary>
public sealed class Conv2dConcrete : IRelaxation<Conv2d, Tensor>
{
    /// <inheritdoc cref="IRelaxation{TLayer, TBound}.Propagate"/>
    public static Tensor Propagate(Conv2d layer, Tensor x) =>
        Convolution.Apply(layer, x, layer.Weight, layer.Bias);
}
