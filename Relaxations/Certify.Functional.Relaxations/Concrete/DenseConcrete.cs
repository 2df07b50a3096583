using Certify.Functional.Layers;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Concrete;

/// <summary>Concrete (point) domain, Dense: y = x Wᵀ + b. Exact by definition. Shapes: [B, in] → [B, out].</summary>
public sealed class DenseConcrete : IRelaxation<Dense, Tensor>
{
    /// <inheritdoc cref="IRelaxation{TLayer, TBound}.Propagate"/>
    public static Tensor Propagate(Dense layer, Tensor x) => nn.functional.linear(x, layer.Weight, layer.Bias);
}
