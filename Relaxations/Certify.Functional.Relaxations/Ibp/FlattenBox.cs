using Certify.Functional.Layers;
using static TorchSharp.torch;
using Certify.Functional.Bounds;

namespace Certify.Functional.Relaxations.Ibp;

/// <summary>IBP, Flatten: [B, C, H, W] → [B, C·H·W] for center and radius. Exact.</summary>
public static class FlattenBox
{
    /// <summary>The image of <paramref name="x"/> under <paramref name="layer"/>.</summary>
    public static Box Propagate(Flatten layer, Box x) => new(x.Center.flatten(1), x.Radius.flatten(1));
}
