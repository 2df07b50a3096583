using Certify.Functional.Bounds;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification;
using static TorchSharp.torch;

namespace Certify.Functional.Analysis;

/// <summary>How many neurons are near a case boundary of the ReLU transformers (properties.md §7.2), for one layer or in total.</summary>
/// <param name="Neurons">Neurons counted (batch × layer width).</param>
/// <param name="Crossing">Neurons with l &lt; 0 &lt; u.</param>
/// <param name="NearLowerZero">|l| &lt; τ: near the surface l = 0 (hBox, CROWN-0, *-Tria jump there).</param>
/// <param name="NearUpperZero">|u| &lt; τ: near u = 0 (*-Diag, CROWN-1, *-Tria).</param>
/// <param name="NearBalanced">l ≤ 0 ≤ u and |(−l) − u| &lt; τ: near the area-heuristic switch |l| = u (CROWN, CROWN-IBP, *-Switch).</param>
public sealed record SwitchCounts(long Neurons, long Crossing, long NearLowerZero, long NearUpperZero, long NearBalanced)
{
    /// <summary>No neurons.</summary>
    public static SwitchCounts Zero { get; } = new(0, 0, 0, 0, 0);

    /// <summary>Element-wise sum.</summary>
    public SwitchCounts Plus(SwitchCounts other) => new(Neurons + other.Neurons, Crossing + other.Crossing,
        NearLowerZero + other.NearLowerZero, NearUpperZero + other.NearUpperZero, NearBalanced + other.NearBalanced);
}

/// <summary>
/// Counts neurons within τ of the switching surfaces l = 0, u = 0 and |l| = u, from per-ReLU pre-activation boxes
/// (<see cref="SpecBounds.PreActivation"/>). A neuron near a surface of its relaxation's table
/// (<see cref="ContinuityTheory"/>) can flip its transformer under a small weight change, which is where the abstract
/// loss of a discontinuous relaxation jumps. Each call is a unit of work: its own dispose scope, only counts leave.
/// </summary>
public static class SwitchingSurfaces
{
    /// <summary>Counts per ReLU layer, for boxes [B, …] each.</summary>
    /// <exception cref="ArgumentException"><paramref name="tau"/> is negative or not finite.</exception>
    public static IReadOnlyList<SwitchCounts> CountPerLayer(IReadOnlyList<Box> preActivation, double tau)
    {
        if (!(tau >= 0) || !double.IsFinite(tau))
            throw new ArgumentException($"τ = {tau}: expected a finite τ ≥ 0.", nameof(tau));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return preActivation.Select(box =>
        {
            var (l, u) = (box.Lower.detach().to(float64), box.Upper.detach().to(float64));
            long Count(Tensor mask) => mask.sum().item<long>();
            return new SwitchCounts(l.numel(),
                Count(l.lt(0).logical_and(u.gt(0))),
                Count(l.abs().lt(tau)),
                Count(u.abs().lt(tau)),
                Count(l.le(0).logical_and(u.ge(0)).logical_and((l.neg() - u).abs().lt(tau))));
        }).ToList();
    }

    /// <summary>Counts summed over all ReLU layers.</summary>
    public static SwitchCounts Count(IReadOnlyList<Box> preActivation, double tau) =>
        CountPerLayer(preActivation, tau).Aggregate(SwitchCounts.Zero, (a, b) => a.Plus(b));

    /// <summary>Per-layer counts for the pre-activation bounds <paramref name="domain"/> computes on the batch
    /// (<paramref name="x"/> [B, …], labels <paramref name="y"/> [B], radius <paramref name="eps"/>), without gradients.</summary>
    public static IReadOnlyList<SwitchCounts> Measure(NetworkModule net, Tensor x, Tensor y, double eps, Domain domain, double tau)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return CountPerLayer(Verifier.Bounds(net, x, y, eps, domain).PreActivation, tau);
    }
}
