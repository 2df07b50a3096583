using Certify.Functional.Bounds;
using Certify.Functional.Layers;

namespace Certify.Functional.Relaxations.DeepZ;

/// <summary>DeepZ, Flatten: center [B, C, H, W] → [B, C·H·W], dense generators likewise; diagonal generators keep
/// their flattened positions. Exact.</summary>
public sealed class FlattenZonotope : IRelaxation<Flatten, Zonotope>
{
    /// <inheritdoc cref="IRelaxation{TLayer, TBound}.Propagate"/>
    public static Zonotope Propagate(Flatten layer, Zonotope x) =>
        new(x.Center.flatten(1), Flat(x.Errors));

    /// <summary>The generators with flattened neuron dimensions (shared by the hybrid module).</summary>
    public static ErrorTerms Flat(ErrorTerms errors) => errors with { Dense = errors.Dense?.flatten(2) };
}
