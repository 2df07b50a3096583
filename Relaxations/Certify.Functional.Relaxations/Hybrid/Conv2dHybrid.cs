using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Shared;
using Certify.Functional.Relaxations.DeepZ;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Hybrid;

/// <summary>hBox family, Conv2d (relaxations.md §3.3): center conv(c, W, b), β' = conv(β, |W|), generators conv(Eₖ, W).</summary>
public static class Conv2dHybrid
{
    /// <summary>The image of <paramref name="x"/> under <paramref name="layer"/>.</summary>
    public static HybridZonotope Propagate(Conv2d layer, HybridZonotope x)
    {
        var zono = Conv2dZonotope.Propagate(layer, new Zonotope(x.Center, x.Errors));
        var beta = Convolution.Apply(layer, x.Beta, layer.Weight.abs(), null);
        return new HybridZonotope(zono.Center, beta, zono.Errors);
    }
}
