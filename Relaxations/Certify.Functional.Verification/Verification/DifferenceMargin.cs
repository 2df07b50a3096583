using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.DeepPoly;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Relaxations.Shared;
using static TorchSharp.torch;

namespace Certify.Functional.Verification;

/// <summary>
/// The a-priori rounding margin of a lower bound of z_y − z_j computed in floating point, in the precision of the network
/// and the input (docs/soundness.md, Floating-point soundness): γ_N·2^(k+1)·(M_y + M_j), with M the logits' absolute
/// magnitude over the clamped ball (<see cref="RoundingMargin.Output"/>: the network applied with |W|, |b| to
/// max(|lo|, |hi|)), k the number of ReLU layers and γ_N = N·u/(1 − N·u), u the unit roundoff of the precision
/// (<see cref="RoundingMargin.Unit"/>; Higham, Accuracy and Stability of Numerical Algorithms, §3.1).
/// <para>Why it bounds the error of every domain's bound: a bound of one logit is a sum whose absolute terms add up to at
/// most (k + 1)·M for back-substitution (<see cref="RoundingMargin"/>) and at most 2^(k+1)·M for zonotopes and hybrid
/// zonotopes, whose generators can double at every ReLU (the new error term beside the scaled old ones); 2^(k+1) ≥ k + 1
/// covers both with one rule, and Box is a zonotope without generators. N counts the accumulations along the longest
/// chain, plus the concretization's sum over the input and every ReLU neuron (the most generators a zonotope carries),
/// plus 4 for the roundings after it (the two bounds' difference, the subtraction of this margin). Two bounds computed
/// separately (the per-logit specification: l_y − u_j) then differ from the exact difference by at most the sum of
/// their errors — relative to M_y + M_j, not to |z_y − z_j|, which cancellation can make far smaller — and a merged bound
/// of z_y − z_j has terms no larger than those of the two together.</para>
/// <para>One formula, used twice: in float64 by <see cref="FinalCheck"/> (10⁻⁷ or less on the paper's networks) and in the
/// bounds' own precision by <see cref="Verifier"/>, which subtracts it from the per-logit differences
/// (<see cref="SpecBounds.DiffLower"/> with <see cref="SpecKind.Eye"/>; in float32 it is pessimistic: 0.058 where the
/// error was 1.2e-5 on the scale-4 conv net of ExploredSeedRegression, 24–32 (median) on the paper's FC networks at ε = 0.1).</para>
/// </summary>
public static class DifferenceMargin
{
    /// <summary>The margin of every lower bound of z_y − z_j (j ≠ y, increasing j) over the clamped ball of radius
    /// <paramref name="eps"/> around <paramref name="x"/> [B, …] with labels <paramref name="y"/> [B]: [B, K−1], ≥ 0,
    /// detached, in the dtype of <paramref name="x"/> (which must match the network's).</summary>
    public static Tensor Of(NetworkModule net, Tensor x, Tensor y, double eps)
    {
        var (lo, hi) = InputRegion.Corners(x, eps);
        var (logits, gamma) = Magnitudes(net, lo, hi, extraAccumulations: 0);               // [B, K]
        var others = Spec.OtherClasses(y, (int)logits.shape[1]);
        return (logits.gather(1, y.unsqueeze(1)) + logits.gather(1, others)) * gamma;
    }

    /// <summary>The margin of every lower bound of a row c_m·z (<see cref="Verifier.RowLower"/>) over the box
    /// [<paramref name="lo"/>, <paramref name="hi"/>]: γ·Σ_k |c_mk|·M_k, [B, M], with K more accumulations in N for the
    /// merge C·W (each merged weight a sum of K products) and the row's own sum. Detached, in the dtype of <paramref name="lo"/>.</summary>
    public static Tensor OfRows(NetworkModule net, Tensor lo, Tensor hi, Tensor rows)
    {
        var (logits, gamma) = Magnitudes(net, lo, hi, extraAccumulations: 2 * net.Description.Output.Size);
        return matmul(rows.to(logits.dtype).abs(), logits.unsqueeze(2)).squeeze(2) * gamma;    // [B, M]
    }

    // The logits' absolute magnitudes M [B, K] over the box and γ_N·2^(k+1).
    static (Tensor Logits, double Gamma) Magnitudes(NetworkModule net, Tensor lo, Tensor hi, long extraAccumulations)
    {
        var margins = new List<Tensor>();
        var m = RoundingMargin.Output(LayerWalk.For(net), lo, hi, margins);
        long neurons = lo[0].numel() + net.Description.Layers.Where(l => l.Declaration.Kind == LayerKind.ReLU).Sum(l => l.Output.Size);
        double u = RoundingMargin.Unit(m.Value.dtype), n = m.Accumulations + neurons + 4 + extraAccumulations;
        return (m.Value.flatten(1), n * u / (1 - n * u) * Math.Pow(2, margins.Count + 1));
    }
}
