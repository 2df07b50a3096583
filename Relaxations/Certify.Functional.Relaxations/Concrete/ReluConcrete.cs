using Certify.Functional.Layers;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Concrete;

/// <summary>Concrete domain, ReLU: max(x, 0) elementwise.</summary>
public sealed class ReluConcrete : IRelaxation<Relu, Tensor>
{
    /// <inheritdoc cref="IRelaxation{TLayer, TBound}.Propagate"/>
    public static Tensor Propagate(Relu layer, Tensor x) => nn.functional.relu(x);
}
