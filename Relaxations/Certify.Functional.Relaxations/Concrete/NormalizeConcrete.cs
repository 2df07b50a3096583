using Certify.Functional.Layers;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Concrete;

/// <summary>Concrete domain, Normalize: (x − mean)/σ per channel (dimension 1). Shapes: [B, C, …] → same.</summary>
public sealed class NormalizeConcrete : IRelaxation<Normalize, Tensor>
{
    /// <inheritdoc cref="IRelaxation{TLayer, TBound}.Propagate"/>
    public static Tensor Propagate(Normalize layer, Tensor x)
    {
        // [C] → [1, C, 1, 1] (or [1, C] for flat inputs) so that the constants broadcast over channels.
        var view = Enumerable.Repeat(1L, (int)x.dim()).ToArray();
        view[1] = layer.Mean.shape[0];
        return (x - layer.Mean.view(view)) / layer.Sigma.view(view);
    }
}
