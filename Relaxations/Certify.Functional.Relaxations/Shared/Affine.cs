using Certify.Functional.Layers;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Shared;

/// <summary>
/// Dense layers with a shared weight W [out, in] or a per-example weight W [B, out, in] (a specification merged
/// into the last layer, W' = C·W). Every domain's Dense module is built from these four maps.
/// </summary>
public static class Affine
{
    /// <summary>x Wᵀ + b for x [B, in] → [B, out].</summary>
    public static Tensor Linear(Dense layer, Tensor x) => layer.Weight.dim() == 2
        ? nn.functional.linear(x, layer.Weight, layer.Bias)
        : (layer.Weight * x.unsqueeze(1)).sum(2) + layer.Bias;                 // per-example K×d rows: a batched matrix-vector
                                                                               // product is cheaper elementwise than as bmm

    /// <summary>r |W|ᵀ for r [B, in] ≥ 0 → [B, out] (the radius of an interval image).</summary>
    public static Tensor LinearAbs(Dense layer, Tensor r) => layer.Weight.dim() == 2
        ? nn.functional.linear(r, layer.Weight.abs())
        : (layer.Weight.abs() * r.unsqueeze(1)).sum(2);

    /// <summary>Images of the unit vectors at <paramref name="positions"/> (int64 [k]): rows of Wᵀ,
    /// [k, out] for a shared weight or [B, k, out] for a per-example one.</summary>
    public static (Tensor Images, bool PerExample) UnitImages(Dense layer, Tensor positions) => layer.Weight.dim() == 2
        ? (layer.Weight.index_select(1, positions).t(), false)
        : (layer.Weight.index_select(2, positions).transpose(1, 2), true);
}
