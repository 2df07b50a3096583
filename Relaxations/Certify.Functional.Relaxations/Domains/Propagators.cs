using Certify.Functional.Bounds;
using Certify.Functional.Relaxations.DeepPoly;
using Certify.Functional.Relaxations.DeepZ;
using Certify.Functional.Relaxations.Hybrid;
using Certify.Functional.Relaxations.Ibp;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Domains;

/// <summary>
/// The four bound propagations of one network, bound once over its <see cref="ILayerWalk"/>: a declared network's
/// generated straight-line code (<see cref="Generated{TNetwork}"/>) or the interpreter over the same relaxation tables
/// (<see cref="Interpreted"/>). Trainers and verifiers hold one of these for the whole run.
/// </summary>
/// <param name="Network">The network the propagations belong to.</param>
/// <param name="Box">Box / IBP propagation (<see cref="BoxRelaxations"/>).</param>
/// <param name="Zonotope">Zonotope propagation (<see cref="ZonotopeRelaxations"/>); the ReLU bounds (one per ReLU, zono-ibp)
/// replace the element's own bounds in the ReLU case split when given.</param>
/// <param name="Hybrid">Hybrid-zonotope propagation (<see cref="HybridRelaxations"/>).</param>
/// <param name="DeepPoly">Back-substitution (<see cref="CrownBackSubstitution.Propagate"/>).</param>
public sealed record Propagators(
    Networks.NetworkModule Network,
    Func<Box, BoxOptions, Spec, Propagation<Box>> Box,
    Func<Zonotope, ZonotopeOptions, Spec, IReadOnlyList<Box>?, Propagation<Zonotope>> Zonotope,
    Func<HybridZonotope, ZonotopeOptions, Spec, Propagation<HybridZonotope>> Hybrid,
    Func<Tensor, Tensor, CrownOptions, Spec, IReadOnlyList<Box>?, IReadOnlyList<Tensor?>?, BackSubstitution> DeepPoly)
{
    /// <summary>The propagations of a walk.</summary>
    public static Propagators Of(ILayerWalk walk) => new(walk.Network,
        (input, options, spec) => walk.Propagate<BoxRelaxations, Box, BoxOptions>(input, options, spec),
        (input, options, spec, relu) => walk.Propagate<ZonotopeRelaxations, Zonotope, ZonotopeContext>(input, new(options, relu), spec),
        (input, options, spec) => walk.Propagate<HybridRelaxations, HybridZonotope, ZonotopeOptions>(input, options, spec),
        (lo, hi, options, spec, intermediate, slopes) => CrownBackSubstitution.Propagate(walk, lo, hi, options, spec, intermediate, slopes));

    /// <summary>The generated propagators of a declared network.</summary>
    public static Propagators Generated<TNetwork>(TNetwork net) where TNetwork : Networks.NetworkModule, ILayerWalk => Of(net);

    /// <summary>The interpreter over the relaxation tables, for any network (e.g. loaded from a JSON description).</summary>
    public static Propagators Interpreted(Networks.NetworkModule net) => Of(new Interpreter.InterpretedWalk(net));

    /// <summary>The generated propagators when the network is declared, the interpreter's otherwise.</summary>
    public static Propagators For(Networks.NetworkModule net) => Of(LayerWalk.For(net));
}
