using Certify.Functional.Bounds;
using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Relaxations.DeepPoly;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Relaxations.Shared;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Laws;

/// <summary>Representation invariants (soundness.md §12.1.4): β ≥ 0 of hybrid elements and radius ≥ 0 of Box elements after a
/// whole network; per-neuron ReLU parameters 0 ≤ λ ≤ 1, μ ≥ 0, and the band λx + [0, 2μ] contains relu(x) on [l, u].</summary>
public static class InvariantLaws
{
    /// <summary>Hybrid domains whose output β is checked.</summary>
    public static readonly string[] Hybrid = ["hbox", "hzono", "hdiag", "hdiag-c", "hswitch", "hzono:gamma=1"];

    /// <summary>β ≥ 0 (hybrid) and radius ≥ 0 (Box, loosened Box) of the final element, specification merged.</summary>
    public static void NonNegativeBoxParts(NetworkCase c)
    {
        using var scope = NewDisposeScope();
        using var net = c.CreateNetwork();
        using var _ = no_grad();
        var (x, y) = (c.Inputs(), c.Labels());
        var spec = Spec.Diffs(y, c.Arch.Classes);
        foreach (var name in Hybrid)
        {
            var h = (HybridDomain)SoundnessLaw.Parse(name);
            var p = Propagators.Interpreted(net).Hybrid(InputRegion.Hybrid(x, c.Eps), h.Options, spec);
            Tolerance.NonNegative($"{name} β on {c}", p.Output.Beta);
        }
        foreach (var name in new[] { "box", "box:widen=0.5", "box:round=0.5,per-unit=10" })
        {
            var b = (IbpDomain)SoundnessLaw.Parse(name);
            var p = Propagators.Interpreted(net).Box(InputRegion.Box(x, c.Eps), b.Options, spec);
            Tolerance.NonNegative($"{name} radius on {c}", p.Output.Radius);
            foreach (var pre in p.PreActivation) Tolerance.NonNegative($"{name} ReLU-input radius on {c}", pre.Radius);
        }
    }

    /// <summary>For bounds l ≤ u: 0 ≤ λ ≤ 1, μ ≥ 0, and λx ≤ relu(x) ≤ λx + 2μ (+ tol) at 11 points of [l, u].</summary>
    public static void ReluBand(ZonotopeOptions options, double[] lower, double[] width)
    {
        using var scope = NewDisposeScope();
        var l = tensor(lower).to(float32).unsqueeze(0);
        var u = (tensor(lower) + tensor(width)).to(float32).unsqueeze(0);
        var coefficients = ReluRules.Coefficients(options, l, u);
        var (lambda, mu) = (coefficients.Lambda.to(float64), coefficients.Mu.to(float64));
        string where = $"{options} on l=[{string.Join(",", lower)}], width=[{string.Join(",", width)}]";
        Tolerance.NonNegative($"{where}: λ", lambda);
        Tolerance.NonNegative($"{where}: 1 − λ", 1 - lambda);
        Tolerance.NonNegative($"{where}: μ", mu);
        var t = linspace(0, 1, 11, dtype: float64).view(1, 11, 1);
        var (l64, u64) = (l.to(float64).unsqueeze(1), u.to(float64).unsqueeze(1));
        var xs = l64 + (u64 - l64) * t;                                             // [1, 11, n]
        var relu = xs.relu();
        var low = lambda.unsqueeze(1) * xs;
        // Pointwise: λx − relu(x) ≤ tol and relu(x) − (λx + 2μ) ≤ tol.
        Tolerance.AtMost($"{where}: λx ≤ relu(x)", zeros_like(lambda), low - relu);
        Tolerance.AtMost($"{where}: relu(x) ≤ λx + 2μ", zeros_like(lambda), relu - low - 2 * mu.unsqueeze(1));
    }

    /// <summary>CROWN / DeepPoly envelope (soundness.md §12.1.4): for bounds l ≤ u, 0 ≤ λ_l, λ_u ≤ 1 and
    /// λ_l x + μ_l ≤ relu(x) ≤ λ_u x + μ_u (± tol) at 11 points of [l, u], both ends included. The reference's 1e-9 in
    /// the chord's denominator leaves the upper line short by u·1e-9/(u − l) at x = u, within tol.</summary>
    public static void CrownEnvelope(CrownOptions options, double[] lower, double[] upper)
    {
        using var scope = NewDisposeScope();
        var l = tensor(lower).to(float32).unsqueeze(0);
        var u = tensor(upper).to(float32).unsqueeze(0);
        var e = CrownEnvelopes.Compute(options, Box.FromBounds(l, u));
        string where = $"{options} on l=[{string.Join(",", lower)}], u=[{string.Join(",", upper)}]";
        var (lambdaL, lambdaU) = (e.LambdaLower.to(float64), e.LambdaUpper.to(float64));
        Tolerance.NonNegative($"{where}: λ_l", lambdaL);
        Tolerance.NonNegative($"{where}: 1 − λ_l", 1 - lambdaL);
        Tolerance.NonNegative($"{where}: λ_u", lambdaU);
        Tolerance.NonNegative($"{where}: 1 − λ_u", 1 - lambdaU);
        var t = linspace(0, 1, 11, dtype: float64).view(1, 11, 1);
        var (l64, u64) = (l.to(float64).unsqueeze(1), u.to(float64).unsqueeze(1));
        var xs = l64 + (u64 - l64) * t;                                             // [1, 11, n]
        var relu = xs.relu();
        var below = lambdaL.unsqueeze(1) * xs + (e.MuLower?.to(float64).unsqueeze(1) ?? zeros_like(xs));
        var above = lambdaU.unsqueeze(1) * xs + (e.MuUpper?.to(float64).unsqueeze(1) ?? zeros_like(xs));
        Tolerance.AtMost($"{where}: λ_l x + μ_l ≤ relu(x)", zeros_like(lambdaL), below - relu);
        Tolerance.AtMost($"{where}: relu(x) ≤ λ_u x + μ_u", zeros_like(lambdaU), relu - above);
    }
}
