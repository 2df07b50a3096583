using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Domains;

namespace Certify.Functional.Relaxations.Ibp;

/// <summary>The Box (IBP) table; the loosening of the options (Table 4) is applied before every ReLU and recorded as
/// its bounds.</summary>
public readonly struct BoxRelaxations : IForwardRelaxations<Box, BoxOptions>
{
    /// <inheritdoc/>
    public static Box Normalize(Normalize layer, Box x) => NormalizeBox.Propagate(layer, x);

    /// <inheritdoc/>
    public static Box Flatten(Box x) => FlattenBox.Propagate(Layers.Flatten.Instance, x);

    /// <inheritdoc/>
    public static Box Dense(Dense layer, Box x) => DenseBox.Propagate(layer, x);

    /// <inheritdoc/>
    public static Box SpecDense(Dense layer, Spec spec, Box x) => SpecDenseBox.Propagate(layer, x, spec);

    /// <inheritdoc/>
    public static Box Conv2d(Conv2d layer, Box x) => Conv2dBox.Propagate(layer, x);

    /// <inheritdoc/>
    public static ReluStep<Box> Relu(Box x, BoxOptions context, int ordinal)
    {
        var bounds = LooseBox.Apply(context.Loosening, x);
        return new(ReluBox.Propagate(Layers.Relu.Instance, bounds), bounds);
    }
}
