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

/// <summary>
/// The four bound propagations of one network, bound once: the generated straight-line methods of a declared network
/// (<see cref="Generated{TNetwork}"/>, method groups resolved at compile time, no type tests per call) or the interpreter
/// over the same relaxation modules (<see cref="Interpreted"/>). Trainers hold one of these for the whole run.
/// </summary>
/// <param name="Network">The network the propagations belong to.</param>
/// <param name="Box">Box / IBP propagation (see <see cref="IBoxPropagator.PropagateBox"/>).</param>
/// <param name="Zonotope">Zonotope propagation (see <see cref="IZonotopePropagator.PropagateZonotope"/>).</param>
/// <param name="Hybrid">Hybrid-zonotope propagation (see <see cref="IHybridPropagator.PropagateHybrid"/>).</param>
/// <param name="DeepPoly">Back-substitution (see <see cref="IDeepPolyPropagator.PropagateDeepPoly"/>).</param>
public sealed record Propagators(
    Networks.NetworkModule Network,
    Func<Box, BoxOptions, Spec, Propagation<Box>> Box,
    Func<Zonotope, ZonotopeOptions, Spec, IReadOnlyList<Box>?, Propagation<Zonotope>> Zonotope,
    Func<HybridZonotope, ZonotopeOptions, Spec, Propagation<HybridZonotope>> Hybrid,
    Func<Tensor, Tensor, CrownOptions, Spec, IReadOnlyList<Box>?, IReadOnlyList<Tensor?>?, BackSubstitution> DeepPoly)
{
    /// <summary>The generated propagators of a declared network.</summary>
    public static Propagators Generated<TNetwork>(TNetwork net)
        where TNetwork : Networks.NetworkModule, IBoxPropagator, IZonotopePropagator, IHybridPropagator, IDeepPolyPropagator =>
        new(net, net.PropagateBox, net.PropagateZonotope, net.PropagateHybrid, net.PropagateDeepPoly);

    /// <summary>The interpreter over the relaxation modules, for any network (e.g. loaded from a JSON description).</summary>
    public static Propagators Interpreted(Networks.NetworkModule net) => new(net,
        (input, options, spec) => Interpreter.InterpretedPropagation.PropagateBox(net, input, options, spec),
        (input, options, spec, relu) => Interpreter.InterpretedPropagation.PropagateZonotope(net, input, options, spec, relu),
        (input, options, spec) => Interpreter.InterpretedPropagation.PropagateHybrid(net, input, options, spec),
        (lo, hi, options, spec, intermediate, slopes) => Interpreter.InterpretedBackSubstitution.Propagate(net, lo, hi, options, spec, intermediate, slopes));

    /// <summary>Each generated propagation the network has, the interpreter for the others.</summary>
    public static Propagators For(Networks.NetworkModule net)
    {
        var interpreted = Interpreted(net);
        return new(net,
            net is IBoxPropagator b ? b.PropagateBox : interpreted.Box,
            net is IZonotopePropagator z ? z.PropagateZonotope : interpreted.Zonotope,
            net is IHybridPropagator h ? h.PropagateHybrid : interpreted.Hybrid,
            net is IDeepPolyPropagator d ? d.PropagateDeepPoly : interpreted.DeepPoly);
    }
}
