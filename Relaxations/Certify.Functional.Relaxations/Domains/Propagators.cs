using Certify.Functional.Bounds;
using Certify.Functional.Relaxations.DeepPoly;
using static TorchSharp.torch;

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

/// <summary>Implemented by generated networks: straight-line CROWN / DeepPoly back-substitution (SPEC §3.7), the same
/// module calls in the same order as <see cref="Interpreter.InterpretedBackSubstitution.Propagate"/>.</summary>
public interface IDeepPolyPropagator
{
    /// <summary>Bounds over the input region [<paramref name="lo"/>, <paramref name="hi"/>] ([B, …input] each): every ReLU
    /// input by back-substitution to the input, or <paramref name="intermediate"/> (one Box per ReLU, CROWN-IBP) when
    /// given; then the specification (lower side only for <see cref="DiffSpec"/>). <paramref name="lowerSlopes"/> (one
    /// per ReLU, or null entries) replace the lower slopes of the final back-substitution. Fresh tensors, owned by the
    /// caller's dispose scope.</summary>
    BackSubstitution PropagateDeepPoly(Tensor lo, Tensor hi, CrownOptions options, Spec spec, IReadOnlyList<Box>? intermediate, IReadOnlyList<Tensor?>? lowerSlopes);
}
