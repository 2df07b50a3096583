using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Relaxations.Shared;

namespace Certify.Functional.Relaxations.DeepZ;

/// <summary>What the zonotope ReLU needs: the variant, and (zono-ibp) given bounds for the case split, one per ReLU.</summary>
/// <param name="Options">The ReLU variant.</param>
/// <param name="ReluBounds">Bounds replacing the element's own concretization at ReLU k (any enclosing bounds keep it
/// sound), or null.</param>
public readonly record struct ZonotopeContext(ZonotopeOptions Options, IReadOnlyList<Box>? ReluBounds = null);

/// <summary>The zonotope (DeepZ family) table.</summary>
public readonly struct ZonotopeRelaxations : IForwardRelaxations<Zonotope, ZonotopeContext>
{
    /// <inheritdoc/>
    public static Zonotope Normalize(Normalize layer, Zonotope x) => NormalizeZonotope.Propagate(layer, x);

    /// <inheritdoc/>
    public static Zonotope Flatten(Zonotope x) => FlattenZonotope.Propagate(Layers.Flatten.Instance, x);

    /// <inheritdoc/>
    public static Zonotope Dense(Dense layer, Zonotope x) => DenseZonotope.Propagate(layer, x);

    /// <inheritdoc/>
    public static Zonotope SpecDense(Dense layer, Spec spec, Zonotope x) => DenseZonotope.Propagate(SpecLayer.Merge(layer, spec), x);

    /// <inheritdoc/>
    public static Zonotope Conv2d(Conv2d layer, Zonotope x) => Conv2dZonotope.Propagate(layer, x);

    /// <inheritdoc/>
    public static ReluStep<Zonotope> Relu(Zonotope x, ZonotopeContext context, int ordinal)
    {
        var bounds = context.ReluBounds?[ordinal] ?? x.Concretize();
        return new(ReluZonotope.Propagate(context.Options, x, bounds), bounds);
    }
}
