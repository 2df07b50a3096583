using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Shared;

namespace Certify.Functional.Relaxations.DeepZ;

/// <summary>DeepZ, Dense (relaxations.md §3.3): center c Wᵀ + b, generators E Wᵀ. Exact (affine maps of zonotopes are
/// zonotopes). Diagonal generators are mapped as rows of Wᵀ scaled per example. [B, in] → [B, out].</summary>
public static class DenseZonotope
{
    /// <summary>The image of <paramref name="x"/> under <paramref name="layer"/>.</summary>
    public static Zonotope Propagate(Dense layer, Zonotope x) => new(
        Affine.Linear(layer, x.Center),
        ErrorMaps.Dense(x.Errors, layer));
}
