using Certify.Functional.Layers;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Concrete;

/// <summary>Concrete domain, Normalize: (x − mean)/σ per channel (dimension 1). Shapes: [B, C, …] → same.</summary>
public static class NormalizeConcrete
{
    /// <summary>The image of <paramref name="x"/> under <paramref name="layer"/>.</summary>
    public static Tensor Propagate(Normalize layer, Tensor x) => (x - ChannelView(layer.Mean, x)) / ChannelView(layer.Sigma, x);

    /// <summary>Per-channel constants [C] viewed as [1, C, 1, 1] (or [1, C] for flat inputs) to broadcast over
    /// <paramref name="like"/>'s channel dimension (dimension 1).</summary>
    public static Tensor ChannelView(Tensor constants, Tensor like)
    {
        var view = Enumerable.Repeat(1L, (int)like.dim()).ToArray();
        view[1] = constants.shape[0];
        return constants.view(view);
    }
}
