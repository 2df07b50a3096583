using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Concrete;
using Certify.Functional.Relaxations.Shared;
using Certify.Functional.Relaxations.DeepZ;

namespace Certify.Functional.Relaxations.Hybrid;

/// <summary>hBox family, Normalize (relaxations.md §3.3): center (c − μ)/σ, β/|σ|, E/σ. Exact.</summary>
public static class NormalizeHybrid
{
    /// <summary>The image of <paramref name="x"/> under <paramref name="layer"/>.</summary>
    public static HybridZonotope Propagate(Normalize layer, HybridZonotope x)
    {
        var inverse = NormalizeZonotope.InverseSigma(layer, x.Center);
        return new(NormalizeConcrete.Propagate(layer, x.Center), x.Beta * inverse.abs(), ErrorMaps.Scale(x.Errors, inverse));
    }
}
