using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Shared;

namespace Certify.Functional.Relaxations.Hybrid;

/// <summary>hBox family, Dense (relaxations.md §3.3): center c Wᵀ + b, box part β|W|ᵀ (re-boxed), generators E Wᵀ.
/// Sound: the independent box noise maps into |W|β, the shared generators exactly. [B, in] → [B, out].</summary>
public static class DenseHybrid
{
    /// <summary>The image of <paramref name="x"/> under <paramref name="layer"/>.</summary>
    public static HybridZonotope Propagate(Dense layer, HybridZonotope x) => new(
        Affine.Linear(layer, x.Center),
        Affine.LinearAbs(layer, x.Beta),
        ErrorMaps.Dense(x.Errors, layer));
}
