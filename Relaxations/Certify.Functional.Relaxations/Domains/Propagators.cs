using Certify.Functional.Bounds;

namespace Certify.Functional.Relaxations.Domains;

/// <summary>Implemented by generated networks: straight-line Box propagation.</summary>
public interface IBoxPropagator
{
    /// <summary>Propagates <paramref name="input"/> through the network, the specification merged into the last layer.</summary>
    Propagation<Box> PropagateBox(Box input, BoxOptions options, Spec spec);
}

/// <summary>Implemented by generated networks: straight-line zonotope propagation.</summary>
public interface IZonotopePropagator
{
    /// <summary>Propagates <paramref name="input"/>; <paramref name="reluBounds"/> (one per ReLU) replace the element's own
    /// bounds in the ReLU case split when given (zono-ibp).</summary>
    Propagation<Zonotope> PropagateZonotope(Zonotope input, ZonotopeOptions options, Spec spec, IReadOnlyList<Box>? reluBounds);
}

/// <summary>Implemented by generated networks: straight-line hybrid-zonotope propagation.</summary>
public interface IHybridPropagator
{
    /// <summary>Propagates <paramref name="input"/> through the network.</summary>
    Propagation<HybridZonotope> PropagateHybrid(HybridZonotope input, ZonotopeOptions options, Spec spec);
}
