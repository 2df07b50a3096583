using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Relaxations.Shared;
using LanguageExt;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Concrete;

/// <summary>The concrete domain's table: points, the ordinary forward pass (no bounds recorded).</summary>
public readonly struct ConcreteRelaxations : IForwardRelaxations<Tensor, Unit>
{
    /// <inheritdoc/>
    public static Tensor Normalize(Normalize layer, Tensor x) => NormalizeConcrete.Propagate(layer, x);

    /// <inheritdoc/>
    public static Tensor Flatten(Tensor x) => FlattenConcrete.Propagate(Layers.Flatten.Instance, x);

    /// <inheritdoc/>
    public static Tensor Dense(Dense layer, Tensor x) => DenseConcrete.Propagate(layer, x);

    /// <inheritdoc/>
    public static Tensor SpecDense(Dense layer, Spec spec, Tensor x) => DenseConcrete.Propagate(SpecLayer.Merge(layer, spec), x);

    /// <inheritdoc/>
    public static Tensor Conv2d(Conv2d layer, Tensor x) => Conv2dConcrete.Propagate(layer, x);

    /// <inheritdoc/>
    public static ReluStep<Tensor> Relu(Tensor x, Unit context, int ordinal) => new(ReluConcrete.Propagate(Layers.Relu.Instance, x), null);
}
