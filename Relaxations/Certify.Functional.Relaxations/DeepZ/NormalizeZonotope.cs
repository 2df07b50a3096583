using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Concrete;
using Certify.Functional.Relaxations.Shared;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.DeepZ;

/// <summary>DeepZ, Normalize (relaxations.md §3.3): center (c − μ)/σ, generators E/σ per channel. Exact.</summary>
public static class NormalizeZonotope
{
    /// <summary>The image of <paramref name="x"/> under <paramref name="layer"/>.</summary>
    public static Zonotope Propagate(Normalize layer, Zonotope x) =>
        new(NormalizeConcrete.Propagate(layer, x.Center), ErrorMaps.Scale(x.Errors, InverseSigma(layer, x.Center)));

    /// <summary>1/σ broadcast to the neuron shape of <paramref name="like"/> [B, …] (shared by the hybrid module).</summary>
    public static Tensor InverseSigma(Normalize layer, Tensor like) =>
        (1 / NormalizeConcrete.ChannelView(layer.Sigma, like)).expand(like.shape);
}
