using Certify.Functional.Bounds;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Shared;

/// <summary>Per-neuron affine-with-noise ReLU relaxation y ∈ λ·x + [0, 2μ] (relaxations.md §3.4): slope λ, offset μ ≥ 0, and
/// which neurons receive a fresh noise symbol (zonotope family) for the μ part.</summary>
/// <param name="Lambda">Slopes [B, …].</param>
/// <param name="Mu">Offsets [B, …].</param>
/// <param name="NewNoise">Boolean [B, …]: neurons whose μ needs its own noise term.</param>
public sealed record ReluCoefficients(Tensor Lambda, Tensor Mu, Tensor NewNoise);

/// <summary>
/// The transformer table of relaxations.md §3.4, as written in the reference: crossing ⇔ l &lt; 0 &lt; u, active ⇔ l ≥ 0,
/// dead otherwise. Dead → (0, 0), active → (1, 0); crossing neurons per rule. Soundness: for x ∈ [l, u] every rule's
/// band λx + [0, 2μ] contains relu(x) (λ ∈ [0, 1], μ the smallest offset that covers both ends). Divisions use
/// crossing-only safe operands so that unselected branches never produce ∞/NaN gradients.
/// </summary>
public static class ReluRules
{
    /// <summary>λ, μ and the new-noise mask for bounds <paramref name="l"/> ≤ <paramref name="u"/>.</summary>
    public static ReluCoefficients Coefficients(ZonotopeOptions options, Tensor l, Tensor u)
    {
        var crossing = l.lt(0).logical_and(u.gt(0));
        var active = crossing.logical_not().logical_and(l.ge(0));
        var ls = where(crossing, l, full_like(l, -1));                     // safe operands, equal to l, u where crossing
        var us = where(crossing, u, full_like(u, 1));
        var lambdaStar = us / (us - ls + 1e-6);
        var (lambda, mu) = options.Relu switch
        {
            // μ from the band's top line through (u, u): u(1 − λ*)/2 = λ*·(1e−6 − l)/2, written without the cancellation of
            // 1 − λ*. The reference's −l·λ*/2 equals it only without the +1e−6 in λ*; with it, its band misses relu(u) by
            // u·1e−6/(u − l + 1e−6) (unsound by up to 1e−6 per neuron).
            ZonoRelu.DeepZ => (lambdaStar, lambdaStar * (1e-6 - ls) / 2),
            ZonoRelu.Box => (zeros_like(ls), us / 2),
            ZonoRelu.Diag or ZonoRelu.DiagC or ZonoRelu.DiagCDefect => (ones_like(ls), -ls / 2),
            ZonoRelu.Switch => (where(ls.neg().le(us), ones_like(ls), zeros_like(ls)), where(ls.neg().le(us), -ls / 2, us / 2)),
            ZonoRelu.Soft => Soft(options.Gamma, ls, us, lambdaStar),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Relu, "Unknown ReLU transformer."),
        };
        var one = ones_like(l);
        var zero = zeros_like(l);
        lambda = where(crossing, lambda, where(active, one, zero));
        mu = where(crossing, mu, zero);
        var newNoise = crossing;
        if (options.Relu is ZonoRelu.DiagC or ZonoRelu.DiagCDefect)
        {
            // Dead neurons (u < 0 strictly) shifted like diag: y ∈ x + [0, −l]. The defect-compatible variant gives
            // this shift no noise symbol in the zonotope family (the reference's bug, relaxations.md §3.4).
            var deadShifted = u.lt(0);
            var ld = where(deadShifted, l, zero);
            lambda = where(deadShifted, one, lambda);
            mu = where(deadShifted, -ld / 2, mu);
            if (options.Relu == ZonoRelu.DiagC) newNoise = newNoise.logical_or(deadShifted);
        }
        return new ReluCoefficients(lambda, mu, newNoise);
    }

    // s = σ(γ(l/(u+1e−6) − u/(l−1e−6))); μ = max(−l·s, u − u·s)/2, the tight parallelogram offset for any slope s ∈ [0, 1]
    // (relu(x) − s·x is largest at x = l or x = u). The reference picks −l·s/2 when s > λ*, which for λ* < s < u/(u − l)
    // (a window the +1e−6 in λ* opens) misses relu(u) by u − s·(u − l).
    static (Tensor, Tensor) Soft(double gamma, Tensor l, Tensor u, Tensor lambdaStar)
    {
        var s = (gamma * (l / (u + 1e-6) - u / (l - 1e-6))).sigmoid();
        return (s, maximum(-l * s, u - u * s) / 2);
    }
}
