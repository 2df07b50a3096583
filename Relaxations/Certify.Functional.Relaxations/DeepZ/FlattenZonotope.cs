using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Shared;

namespace Certify.Functional.Relaxations.DeepZ;

/// <summary>DeepZ, Flatten: center [B, C, H, W] → [B, C·H·W], dense generators likewise; diagonal generators keep
/// their flattened positions. Exact.</summary>
public static class FlattenZonotope
{
    /// <summary>The image of <paramref name="x"/> under <paramref name="layer"/>.</summary>
    public static Zonotope Propagate(Flatten layer, Zonotope x) =>
        new(x.Center.flatten(1), ErrorMaps.Flatten(x.Errors));
}
