using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Shared;

namespace Certify.Functional.Relaxations.Hybrid;

/// <summary>hBox family, Flatten: center, β and dense generators flattened; diagonal positions unchanged. Exact.</summary>
public static class FlattenHybrid
{
    /// <summary>The image of <paramref name="x"/> under <paramref name="layer"/>.</summary>
    public static HybridZonotope Propagate(Flatten layer, HybridZonotope x) =>
        new(x.Center.flatten(1), x.Beta.flatten(1), ErrorMaps.Flatten(x.Errors));
}
