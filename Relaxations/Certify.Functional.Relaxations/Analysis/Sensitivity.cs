using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Domains;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Analysis;

/// <summary>Settings of <see cref="Sensitivity.Measure"/>.</summary>
/// <param name="Directions">M, the number of random directions; direction m is <see cref="ParameterDirection.Random"/>
/// with seed <see cref="Seed"/> + m.</param>
/// <param name="Deltas">Step sizes δ (default 1e−4, 1e−3, 1e−2).</param>
/// <param name="Seed">Seed of the first direction.</param>
public sealed record SensitivityOptions(int Directions = 8, IReadOnlyList<double>? Deltas = null, ulong Seed = 0)
{
    /// <summary>The δ values used: <see cref="Deltas"/> or {1e−4, 1e−3, 1e−2}.</summary>
    public IReadOnlyList<double> DeltaValues => Deltas ?? [1e-4, 1e-3, 1e-2];

    /// <summary>M = 8, δ ∈ {1e−4, 1e−3, 1e−2}, seed 0.</summary>
    public static SensitivityOptions Default { get; } = new();
}

/// <summary>Sensitivity at one step size.</summary>
/// <param name="Delta">δ.</param>
/// <param name="LossRate">E_d |L(θ + δd) − L(θ)| / δ over the M directions.</param>
/// <param name="GradientChange">E_d ‖∇L(θ + δd) − ∇L(θ)‖ / ‖∇L(θ)‖ (∞ when ∇L(θ) = 0 and the gradient moves, NaN when neither).</param>
/// <param name="LossRateVsBox"><see cref="LossRate"/> divided by Box's on the same network, batch, ε and directions (IEEE division).</param>
/// <param name="GradientChangeVsBox"><see cref="GradientChange"/> divided by Box's.</param>
public sealed record SensitivityAtDelta(double Delta, double LossRate, double GradientChange, double LossRateVsBox, double GradientChangeVsBox);

/// <summary>What <see cref="Sensitivity.Measure"/> found.</summary>
/// <param name="Domain">The domain name.</param>
/// <param name="Loss">L_abs(θ).</param>
/// <param name="GradientNorm">‖∇L_abs(θ)‖.</param>
/// <param name="PerDelta">One entry per δ, in the order of <see cref="SensitivityOptions.DeltaValues"/>.</param>
public sealed record SensitivityReport(string Domain, double Loss, double GradientNorm, IReadOnlyList<SensitivityAtDelta> PerDelta);

/// <summary>
/// The empirical sensitivity protocol of SPEC §7.3 (ours, [UNVERIFIED] against the paper): for M seeded random directions d
/// (Gaussian, scaled per parameter tensor to ‖θ_p‖) and each δ, the mean finite-difference rate E_d |L(θ + δd) − L(θ)|/δ
/// (→ E_d |∇L·d| as δ → 0 where L is differentiable) and the mean relative gradient change
/// E_d ‖∇L(θ + δd) − ∇L(θ)‖/‖∇L(θ)‖, with L = L_abs (κ = 0, <see cref="AbstractLoss"/>); and both divided by Box's values
/// for the same directions. The weights are restored bit for bit after every evaluation. Cost: (1 + M·|δ|) loss-and-gradient
/// evaluations per domain, twice (domain and Box). Float32 losses carry ~1e−7 relative rounding, so the rate at δ = 1e−4
/// has ~1e−3·(1 + |L|) absolute noise. For a discontinuous relaxation a jump J crossed within δ along one of the M
/// directions adds J/(M·δ) to the rate: a rate that grows as δ shrinks signals jumps (see <see cref="JumpDetector"/>),
/// not smooth sensitivity.
/// </summary>
public static class Sensitivity
{
    /// <summary>Measures <paramref name="domain"/> (and Box, for normalisation) on batch <paramref name="x"/> [B, …],
    /// labels <paramref name="y"/> [B], radius <paramref name="eps"/>.</summary>
    /// <exception cref="InvalidOperationException">The domain computes no gradient (triangle-lp).</exception>
    public static SensitivityReport Measure(NetworkModule net, Tensor x, Tensor y, Domain domain, double eps, SensitivityOptions? options = null)
    {
        options ??= SensitivityOptions.Default;
        if (options.Directions < 1 || options.DeltaValues.Count == 0 || options.DeltaValues.Any(d => !(d > 0) || !double.IsFinite(d)))
            throw new ArgumentException($"Sensitivity options {options}: need at least one direction and finite δ > 0.", nameof(options));
        var directions = Enumerable.Range(0, options.Directions).Select(m => ParameterDirection.Random(net, options.Seed + (ulong)m)).ToList();
        var own = Raw(net, x, y, domain, eps, directions, options.DeltaValues);
        var box = domain is IbpDomain { Options.Loosening: null } ? own : Raw(net, x, y, Domain.Box, eps, directions, options.DeltaValues);
        var perDelta = options.DeltaValues.Select((delta, k) => new SensitivityAtDelta(delta, own.Rates[k], own.Changes[k],
            own.Rates[k] / box.Rates[k], own.Changes[k] / box.Changes[k])).ToList();
        return new SensitivityReport(domain.Name, own.Loss, own.GradientNorm, perDelta);
    }

    sealed record RawSensitivity(double Loss, double GradientNorm, double[] Rates, double[] Changes);

    static RawSensitivity Raw(NetworkModule net, Tensor x, Tensor y, Domain domain, double eps, IReadOnlyList<ParameterDirection> directions, IReadOnlyList<double> deltas)
    {
        var (loss, gradient) = AbstractLoss.ValueAndGradient(net, x, y, domain, eps);
        double gNorm = gradient.Norm;
        var rates = new double[deltas.Count];
        var changes = new double[deltas.Count];
        for (int k = 0; k < deltas.Count; k++)
        {
            double delta = deltas[k];
            foreach (var d in directions)
            {
                using var scope = NewDisposeScope();                          // the saved weights of the shift
                var (shifted, shiftedGradient) = WeightShift.At(net, d, delta, () => AbstractLoss.ValueAndGradient(net, x, y, domain, eps));
                rates[k] += Math.Abs(shifted - loss) / delta / directions.Count;
                changes[k] += Distance(shiftedGradient, gradient) / gNorm / directions.Count;
            }
        }
        return new RawSensitivity(loss, gNorm, rates, changes);
    }

    static double Distance(ParameterDirection a, ParameterDirection b) =>
        Math.Sqrt(a.Values.Select((va, i) => va.Select((e, k) => ((double)e - b.Values[i][k]) * ((double)e - b.Values[i][k])).Sum()).Sum());
}
