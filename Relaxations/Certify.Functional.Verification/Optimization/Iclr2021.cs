using Certify.Functional.Bounds;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.DeepPoly;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification;
using static TorchSharp.torch;

namespace Certify.Functional.Verification.Optimization;

/// <summary>
/// <c>iclr2021</c> (Lee et al. 2021, "Loss landscape matters", relaxations.md §3.9): CROWN-IBP whose crossing neurons' lower
/// slopes are learned per example: λ_l ~ U[0, 1] per neuron (a torch generator seeded by <c>seed</c>), one signed
/// gradient step λ_l ← clamp(λ_l − sign(∂CE(ẑ(d))/∂λ_l), 0, 1) on the final back-substitution with the network's
/// parameters frozen and the bounds detached, then the final back-substitution with these λ_l (the envelope overrides
/// them to 0/1 for dead/active neurons). Sound for every λ_l ∈ [0, 1]; the network's loss gradient flows through the
/// final bound, not through λ_l.
/// </summary>
public static class Iclr2021
{
    /// <summary>The seed used when none is given.</summary>
    public const ulong DefaultSeed = 2021;

    static readonly CrownOptions Adaptive = new();

    /// <summary>The bounds with learned slopes; <paramref name="ibp"/> are the IBP bounds of every ReLU input.</summary>
    public static BackSubstitution Propagate(NetworkModule net, Tensor lo, Tensor hi, Spec spec, IReadOnlyList<Box> ibp, ulong seed = DefaultSeed) =>
        CrownBackSubstitution.Propagate(LayerWalk.For(net), lo, hi, Adaptive, spec, ibp, LearnSlopes(net, lo, hi, spec, ibp, seed));

    /// <summary>The learned λ_l, one per ReLU, [B, …] in [0, 1], detached (fresh tensors in the caller's scope).</summary>
    public static IReadOnlyList<Tensor?> LearnSlopes(NetworkModule net, Tensor lo, Tensor hi, Spec spec, IReadOnlyList<Box> ibp, ulong seed = DefaultSeed)
    {
        if (ibp.Count == 0) return [];
        Tensor[] initial;
        using (var generator = new Generator(seed))                            // CPU stream: the same λ on every device
            initial = ibp.Select(b => rand(b.Center.shape, dtype: b.Center.dtype, generator: generator).to(b.Center.device)).ToArray();
        using var grad = enable_grad();
        using var scope = NewDisposeScope();
        var leaves = initial.Select(t => t.requires_grad_(true)).ToArray();
        var frozen = ibp.Select(b => new Box(b.Center.detach(), b.Radius.detach())).ToArray();
        var (loD, hiD) = (lo.detach(), hi.detach());
        var walk = LayerWalk.For(net);                                         // a declared network's generated chains
        var lower = CrownBackSubstitution.SpecificationSide(walk, loD, hiD, Adaptive, spec, frozen, leaves, lower: true);
        var loss = spec is DiffSpec
            ? nn.functional.cross_entropy(SpecLoss.PseudoLogits(lower, spec.Labels), spec.Labels)
            : nn.functional.cross_entropy(SpecLoss.WorstCaseLogits(lower,
                CrownBackSubstitution.SpecificationSide(walk, loD, hiD, Adaptive, spec, frozen, leaves, lower: false), spec.Labels), spec.Labels);
        var g = autograd.grad([loss], leaves, allow_unused: true);
        var stepped = leaves.Select((l, k) => (g[k] is { IsInvalid: false } gk ? (l.detach() - gk.sign()).clamp(0, 1) : l.detach().clone())).ToArray();
        scope.MoveToOuter(stepped);
        return stepped;
    }
}
