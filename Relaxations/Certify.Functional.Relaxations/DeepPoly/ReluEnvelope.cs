using Certify.Functional.Bounds;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.DeepPoly;

/// <summary>Per-neuron linear bounds of ReLU on [l, u]: λ_l·x + μ_l ≤ relu(x) ≤ λ_u·x + μ_u. Tensors [B, …].
/// <see cref="LambdaLower"/> may carry an extra leading spec dimension [B, K, …] (optimised slopes, α-CROWN).
/// <see cref="Shift"/> (β-CROWN, lower side only) is added to a lower bound's coefficients on the ReLU's input after the
/// envelope: −β·s for neurons known to satisfy s·x ≥ 0 (s = ±1, β ≥ 0), a Lagrangian term that is ≤ 0 on every input
/// that meets those constraints, so the bound stays a lower bound there ([B, K, …] or [B, …]; null: none).</summary>
public sealed record ReluEnvelope(Tensor LambdaLower, Tensor? MuLower, Tensor LambdaUpper, Tensor? MuUpper, Tensor? Shift = null);

/// <summary>
/// The envelope table of relaxations.md §3.7.1 as the reference computes it. dead ⇔ u &lt; 0, active ⇔ l &gt; 0 (strict), the
/// rest uses the crossing formulas (l = 0 or u = 0 exactly included). Upper chord through (l, 0) and (u, u):
/// λ_u = u/(u − l + 1e−9), μ_u = u·(1 − λ_u) = λ_u·(1e−9 − l) where l &lt; 0 &lt; u (the reference: −u·l/(u − l + 1e−9), which the +1e−9
/// puts just below relu(u); equal without it). Soundness: on [l, u] the chord is above
/// relu and every lower line (slope in [0, 1] through the origin, or a "-C" constant l ≤ x) is below it.
/// </summary>
public static class CrownEnvelopes
{
    /// <summary>The envelope for pre-activation bounds <paramref name="bounds"/> ([B, …]); <paramref name="lowerSlope"/>
    /// replaces the heuristic lower slope of crossing neurons when given (iclr2021 [B, …], α-CROWN per spec row
    /// [B, K, …]: the dead/active overrides are then broadcast over K). <paramref name="margin"/> ([B, …], from
    /// <see cref="RoundingMargin"/>) rounds the bounds that a "-C" line carries as a constant outward: l − margin and
    /// u + margin (the masks still use l and u).</summary>
    public static ReluEnvelope Compute(CrownOptions options, Box bounds, Tensor? lowerSlope = null, Tensor? margin = null)
    {
        var l = bounds.Lower;
        var u = bounds.Upper;
        var (lc, uc) = margin is null ? (l, u) : (l - margin, u + margin);     // the constants of the "-C" lines
        var perSpec = lowerSlope is not null && lowerSlope.dim() == l.dim() + 1;
        var dead = u.lt(0);
        var active = l.gt(0);
        // The masks as they meet λ_l: [B, 1, …] against per-spec slopes [B, K, …] (plain [B, …] would align B with K).
        Tensor Spread(Tensor t) => perSpec ? t.unsqueeze(1) : t;
        var strict = l.lt(0).logical_and(u.gt(0));
        var one = ones_like(l);
        var zero = zeros_like(l);
        var denominator = u - l + 1e-9;
        var chordSlope = where(dead, zero, where(active, one, u / denominator));
        // The chord's offset from its point (u, u): u(1 − λ_u) = λ_u·(1e−9 − l), written without the cancellation of
        // 1 − λ_u. The reference's −u·l/(u − l + 1e−9) equals it only without the +1e−9, with which its line passes below
        // relu(u) by u·1e−9/(u − l + 1e−9); this one is ≥ 0 at l as well.
        var chordOffset = where(strict, chordSlope * (1e-9 - l), zero);

        Tensor lambdaL = lowerSlope ?? options.Variant switch
        {
            CrownVariant.Adaptive => where(u.lt(-l), zero, one),
            CrownVariant.Soft => Soft(options.Gamma, l, u, dead, active),
            CrownVariant.Zero or CrownVariant.ZeroC or CrownVariant.LowerTria or CrownVariant.LowerTriaC => zero,
            _ => one,                                                            // One, OneC, UpperTria, UpperTriaC
        };
        Tensor? muL = null;
        Tensor lambdaU = chordSlope, muU = chordOffset;
        switch (options.Variant)
        {
            case CrownVariant.ZeroC:
                muL = where(active, lc, zero);                                    // active: lower line the constant l
                break;
            case CrownVariant.OneC:
                lambdaL = where(Spread(dead), Spread(one), lambdaL);              // dead: lower line x
                break;
            case CrownVariant.LowerTria:
                (lambdaU, muU) = (where(dead, zero, one), where(dead.logical_or(active), zero, -l));
                break;
            case CrownVariant.UpperTria:
                (lambdaU, muU) = (where(active, one, zero), where(dead.logical_or(active), zero, u));
                break;
            case CrownVariant.LowerTriaC:
                (lambdaU, muU) = (one, where(active, zero, -lc));                 // dead and crossing: upper x − l
                muL = where(active, lc, zero);
                break;
            case CrownVariant.UpperTriaC:
                lambdaL = where(Spread(dead), Spread(one), lambdaL);
                (lambdaU, muU) = (zero, where(dead, zero, uc));                    // crossing and active: upper u
                break;
        }
        // Dead → lower 0 and active → lower x, except where a "-C" variant set its own line above.
        if (options.Variant is not (CrownVariant.OneC or CrownVariant.UpperTriaC))
            lambdaL = where(Spread(dead), Spread(zero), lambdaL);
        if (options.Variant is not (CrownVariant.ZeroC or CrownVariant.LowerTriaC))
            lambdaL = where(Spread(active), Spread(one), lambdaL);
        else
            lambdaL = where(Spread(active), Spread(zero), lambdaL);
        return new ReluEnvelope(lambdaL, muL, lambdaU, muU);
    }

    // σ(γ(l/(u+1e−6) − u/(l−1e−6))) on crossing neurons; safe operands elsewhere so no ∞/NaN reaches the gradient.
    static Tensor Soft(double gamma, Tensor l, Tensor u, Tensor dead, Tensor active)
    {
        var region = dead.logical_or(active).logical_not();
        var ls = where(region, l, full_like(l, -1));
        var us = where(region, u, full_like(u, 1));
        return (gamma * (ls / (us + 1e-6) - us / (ls - 1e-6))).sigmoid();
    }
}
