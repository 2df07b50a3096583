using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using static TorchSharp.torch;

namespace Certify.Functional.Analysis;

/// <summary>Settings of <see cref="Sensitivity.Measure"/>.</summary>
/// <param name="Directions">M, the number of random directions; direction m is <see cref="ParameterDirection.Random"/>
/// with seed <see cref="Seed"/> + m.</param>
/// <param name="Deltas">Step sizes δ (default 1e−4, 1e−3, 1e−2).</param>
/// <param name="Seed">Seed of the first direction.</param>
public sealed record SensitivityOptions(int Directions = 8, IReadOnlyList<double>? Deltas = null, ulong Seed = 0)
{
    /// <summary>The δ values used: <see cref="Deltas"/> or {1e−4, 1e−3, 1e−2}.</summary>
    public IReadOnlyList<double> DeltaValues => Deltas ?? [1e-4, 1e-3, 1e-2];

    /// <summary>Directions to use instead of the seeded random ones (e.g. <see cref="ParameterDirection.Unit"/>); null = random.</summary>
    public IReadOnlyList<ParameterDirection>? Given { get; init; }

    /// <summary>M = 8, δ ∈ {1e−4, 1e−3, 1e−2}, seed 0.</summary>
    public static SensitivityOptions Default { get; } = new();
}

/// <summary>Sensitivity at one step size (every mean is over the M directions d, step θ → θ + δd).</summary>
/// <param name="Delta">δ.</param>
/// <param name="Sensitivity">The study's sensitivity Ŝ = S·‖θ‖²/L(θ): dimensionless, unchanged when the loss is multiplied
/// by a constant or the weights are measured in other units (for L = c·θᵏ in one dimension Ŝ = k(k − 1) exactly: the
/// effective polynomial degree of the loss; rational or high-degree losses score high).</param>
/// <param name="GradientLipschitz">S = E_d ‖∇L(θ + δd) − ∇L(θ)‖ / (δ‖d‖): the gradient's local Lipschitz ratio (→ E_d ‖H·d‖/‖d‖
/// for a twice-differentiable L; a kink or jump crossed within δ adds to it).</param>
/// <param name="LossElasticity">E_d |L(θ + δd) − L(θ)| / (δ·L(θ)) with ‖d‖ = ‖θ‖: the relative loss change per relative
/// weight step (first order).</param>
/// <param name="LossRate">E_d |L(θ + δd) − L(θ)| / δ (the earlier, unnormalised rate; kept for continuity with older reports).</param>
/// <param name="GradientChange">E_d ‖∇L(θ + δd) − ∇L(θ)‖ / ‖∇L(θ)‖ (∞ when ∇L(θ) = 0 and the gradient moves, NaN when neither).</param>
public sealed record SensitivityAtDelta(double Delta, double Sensitivity, double GradientLipschitz, double LossElasticity, double LossRate, double GradientChange);

/// <summary>What <see cref="Sensitivity.Measure"/> found.</summary>
/// <param name="Domain">The domain name.</param>
/// <param name="Loss">L_abs(θ).</param>
/// <param name="GradientNorm">‖∇L_abs(θ)‖.</param>
/// <param name="WeightNorm">‖θ‖ over every parameter.</param>
/// <param name="PerDelta">One entry per δ, in the order of <see cref="SensitivityOptions.DeltaValues"/>.</param>
public sealed record SensitivityReport(string Domain, double Loss, double GradientNorm, double WeightNorm, IReadOnlyList<SensitivityAtDelta> PerDelta);

/// <summary>
/// Sensitivity of a relaxation's loss to small weight changes (properties.md §7.3; the paper's Sec. 4.3 derivation was not
/// retrievable, so this is our definition, documented in docs/sensitivity.md). With L = L_abs (κ = 0,
/// <see cref="AbstractLoss"/>) on a fixed batch, M seeded random directions d (Gaussian, scaled per parameter tensor to
/// ‖θ_p‖, so ‖d‖ = ‖θ‖ and δ is a relative step):
/// <code>
/// S(θ) = E_d ‖∇L(θ + δd) − ∇L(θ)‖ / (δ‖d‖)      the gradient's local Lipschitz ratio
/// Ŝ(θ) = S(θ) · ‖θ‖² / L(θ)                      the sensitivity reported (dimensionless)
/// </code>
/// S measures how fast the gradient turns under a small weight change (the curvature of the loss surface: the "nested
/// rational functions" of slopes that depend on bounds); Ŝ removes the loss scale, so relaxations whose losses differ by
/// orders of magnitude compare on one network, and compares networks of different weight norms. It is not normalised by
/// Box (an earlier version divided by Box's rate on the same network, which made the number a property of Box's loss on
/// that network). Also reported: the first-order elasticity E_d |ΔL|/(δL) and the older unnormalised quantities. The
/// weights are restored bit for bit after every evaluation. Cost: 1 + M·|δ| loss-and-gradient evaluations. Float32
/// losses carry ~1e−7 relative rounding, so at δ = 1e−4 the gradient difference has ~1e−3 relative noise. For a
/// discontinuous relaxation a jump crossed within δ along one of the M directions adds to the loss rate as J/(M·δ): a
/// value that grows as δ shrinks signals jumps (see <see cref="JumpDetector"/>), not smooth sensitivity.
/// </summary>
public static class Sensitivity
{
    /// <summary>Measures <paramref name="domain"/> on batch <paramref name="x"/> [B, …], labels <paramref name="y"/> [B],
    /// radius <paramref name="eps"/>.</summary>
    /// <exception cref="InvalidOperationException">The domain computes no gradient (triangle-lp).</exception>
    public static SensitivityReport Measure(NetworkModule net, Tensor x, Tensor y, Domain domain, double eps, SensitivityOptions? options = null)
    {
        options ??= SensitivityOptions.Default;
        if ((options.Given is null ? options.Directions < 1 : options.Given.Count < 1) || options.DeltaValues.Count == 0
            || options.DeltaValues.Any(d => !(d > 0) || !double.IsFinite(d)))
            throw new ArgumentException($"Sensitivity options {options}: need at least one direction and finite δ > 0.", nameof(options));
        var directions = options.Given ?? Enumerable.Range(0, options.Directions).Select(m => ParameterDirection.Random(net, options.Seed + (ulong)m)).ToList();
        double weightNorm = WeightNorm(net);
        var (loss, gradient) = AbstractLoss.ValueAndGradient(net, x, y, domain, eps);
        var shifted = options.DeltaValues.Select(delta => directions.Select(d =>
        {
            using var scope = NewDisposeScope();                              // the saved weights of the shift
            return WeightShift.At(net, d, delta, () => AbstractLoss.ValueAndGradient(net, x, y, domain, eps));
        }).ToList()).ToList();
        return FromEvaluations(domain.Name, weightNorm, (loss, gradient), directions, options.DeltaValues, shifted);
    }

    /// <summary>The definitions applied to evaluations already made: (L, ∇L) at θ and at θ + δ_k·d_m
    /// (<paramref name="shifted"/>[k][m]). Pure; <see cref="Measure"/> and the tests on closed-form functions share it.</summary>
    public static SensitivityReport FromEvaluations(string domain, double weightNorm, (double Loss, ParameterDirection Gradient) at,
        IReadOnlyList<ParameterDirection> directions, IReadOnlyList<double> deltas, IReadOnlyList<IReadOnlyList<(double Loss, ParameterDirection Gradient)>> shifted)
    {
        double gNorm = at.Gradient.Norm;
        var perDelta = new List<SensitivityAtDelta>();
        for (int k = 0; k < deltas.Count; k++)
        {
            double delta = deltas[k], rate = 0, change = 0, lipschitz = 0;
            for (int m = 0; m < directions.Count; m++)
            {
                var (loss, gradient) = shifted[k][m];
                double moved = Distance(gradient, at.Gradient);
                rate += Math.Abs(loss - at.Loss) / delta / directions.Count;
                change += moved / gNorm / directions.Count;
                lipschitz += moved / (delta * directions[m].Norm) / directions.Count;
            }
            double scale = Math.Abs(at.Loss);
            perDelta.Add(new SensitivityAtDelta(delta, lipschitz * weightNorm * weightNorm / scale, lipschitz, rate / scale, rate, change));
        }
        return new SensitivityReport(domain, at.Loss, gNorm, weightNorm, perDelta);
    }

    /// <summary>‖θ‖ over every parameter of <paramref name="net"/>, in float64.</summary>
    public static double WeightNorm(NetworkModule net)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return Math.Sqrt(net.parameters().Sum(p => p.detach().to(float64).square().sum().item<double>()));
    }

    static double Distance(ParameterDirection a, ParameterDirection b) =>
        Math.Sqrt(a.Values.Select((va, i) => va.Select((e, k) => ((double)e - b.Values[i][k]) * ((double)e - b.Values[i][k])).Sum()).Sum());
}
