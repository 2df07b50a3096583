using Certify.Functional.Layers;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Concrete;

/// <summary>Concrete domain, Flatten: [B, C, H, W] → [B, C·H·W] (row-major, as PyTorch).</summary>
public sealed class FlattenConcrete : IRelaxation<Flatten, Tensor>
{
    /// <inheritdoc cref="IRelaxation{TLayer, TBound}.Propagate"/>
    public static Tensor Propagate(Flatten layer, Tensor x) => x.flatten(1);
}
