using Certify.Functional.Layers;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Concrete;

/// <summary>Concrete domain, Flatten: [B, C, H, W] → [B, C·H·W] (row-major, as PyTorch).</summary>
public static class FlattenConcrete
{
    /// <summary>The image of <paramref name="x"/> under <paramref name="layer"/>.</summary>
    public static Tensor Propagate(Flatten layer, Tensor x) => x.flatten(1);
}
