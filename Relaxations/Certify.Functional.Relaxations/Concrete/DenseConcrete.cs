using Certify.Functional.Layers;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Concrete;

/// <summary>Concrete (point) domain, Dense: y = x Wᵀ + b. Exact by definition. Shapes: [B, in] → [B, out].</summary>
public static class DenseConcrete
{
    /// <summary>The image of <paramref name="x"/> under <paramref name="layer"/>.</summary>
    public static Tensor Propagate(Dense layer, Tensor x) => nn.functional.linear(x, layer.Weight, layer.Bias);
}
