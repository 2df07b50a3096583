using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Relaxations.Shared;

namespace Certify.Functional.Relaxations.Hybrid;

/// <summary>The hybrid-zonotope (hBox family) table.</summary>
public readonly struct HybridRelaxations : IForwardRelaxations<HybridZonotope, ZonotopeOptions>
{
    /// <inheritdoc/>
    public static HybridZonotope Normalize(Normalize layer, HybridZonotope x) => NormalizeHybrid.Propagate(layer, x);

    /// <inheritdoc/>
    public static HybridZonotope Flatten(HybridZonotope x) => FlattenHybrid.Propagate(Layers.Flatten.Instance, x);

    /// <inheritdoc/>
    public static HybridZonotope Dense(Dense layer, HybridZonotope x) => DenseHybrid.Propagate(layer, x);

    /// <inheritdoc/>
    public static HybridZonotope SpecDense(Dense layer, Spec spec, HybridZonotope x) => DenseHybrid.Propagate(SpecLayer.Merge(layer, spec), x);

    /// <inheritdoc/>
    public static HybridZonotope Conv2d(Conv2d layer, HybridZonotope x) => Conv2dHybrid.Propagate(layer, x);

    /// <inheritdoc/>
    public static ReluStep<HybridZonotope> Relu(HybridZonotope x, ZonotopeOptions context, int ordinal)
    {
        var bounds = x.Concretize();
        return new(ReluHybrid.Propagate(context, x, bounds), bounds);
    }
}
