using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Concrete;
using static TorchSharp.torch;
using Certify.Functional.Bounds;

namespace Certify.Functional.Relaxations.Ibp;

/// <summary>IBP, Normalize (relaxations.md §3.3): center (c − μ)/σ, radius r/|σ|. Exact (a per-channel affine map).</summary>
public static class NormalizeBox
{
    /// <summary>The image of <paramref name="x"/> under <paramref name="layer"/>.</summary>
    public static Box Propagate(Normalize layer, Box x) =>
        new(NormalizeConcrete.Propagate(layer, x.Center), x.Radius / NormalizeConcrete.ChannelView(layer.Sigma.abs(), x.Radius));
}
