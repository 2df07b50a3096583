using Certify.Functional.Layers;
using static TorchSharp.torch;
using Certify.Functional.Bounds;

namespace Certify.Functional.Relaxations.Ibp;

/// <summary>IBP, ReLU (SPEC §3.4): [relu(l), relu(u)]. Sound and exact per neuron because ReLU is monotone.</summary>
public sealed class ReluBox : IRelaxation<Relu, Box>
{
    /// <inheritdoc cref="IRelaxation{TLayer, TBound}.Propagate"/>
    public static Box Propagate(Relu layer, Box x) => Box.FromBounds(x.Lower.relu(), x.Upper.relu());
}
