using Certify.Functional.Bounds;
using Certify.Functional.Relaxations.Shared;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.DeepPoly;

/// <summary>Back-substitution through ReLU with an envelope λ_l x + μ_l ≤ y ≤ λ_u x + μ_u (relaxations.md §3.7). For a lower
/// bound: A ← A⁺λ_l + A⁻λ_u, Const += Σ(A⁺μ_l + A⁻μ_u); for an upper bound the lines swap. Sound because A⁺ multiplies
/// a quantity that is at least (at most) the line it is replaced by.</summary>
public static partial class ReluDeepPoly
{
    /// <summary>Compaction pays only when at most this fraction of the neurons is alive in every example (measured:
    /// gathering each example's weight rows costs about as much as the product it saves above ≈ 0.6).</summary>
    const double CompactBelow = 0.5;

    /// <summary>With many rows (K ≥ <see cref="ManyRows"/>: the pre-activation chains) the product saved grows with K
    /// while the gather does not, so compaction is used up to the measured break-even (the FC relu3 chains of the
    /// paper's CROWN network keep 219 of 400 neurons).</summary>
    const double CompactBelowManyRows = 0.6;
    const long ManyRows = 64;

    /// <summary>The bound in terms of the ReLU's input (from the identity: the envelope itself). With <paramref name="compact"/> (the next layer down is Dense),
    /// neurons whose envelope is identically zero (dead) are dropped per example (see <see cref="LinearBound.Columns"/>);
    /// the result is the same bound, computed with fewer products.</summary>
    public static LinearBound Backward(ReluEnvelope envelope, LinearBound bound, bool lower, bool compact = false)
    {
        // The identity (a network ending in ReLU, per-logit bounds) is materialised as eye [1, n, …]: the bounds of
        // relu(x) itself are then the envelope's lines.
        var a = bound.A ?? Identity(envelope.LambdaUpper);
        var (pos, neg) = lower ? (envelope.LambdaLower, envelope.LambdaUpper) : (envelope.LambdaUpper, envelope.LambdaLower);
        var (muPos, muNeg) = lower ? (envelope.MuLower, envelope.MuUpper) : (envelope.MuUpper, envelope.MuLower);
        if (envelope.Shift is { } shift)
        {
            if (!lower) throw new ArgumentException("A ReLU envelope's Lagrangian shift (β-CROWN) applies to lower bounds only.", nameof(envelope));
            var shifted = SignSplit.Combine(a, Expand(pos, a), Expand(neg, a)) + Expand(shift, a);   // no compaction: dead neurons carry β
            return new(shifted, LinearBound.Add(bound.Const, SignSplit.Sum(a, muPos, muNeg)));
        }
        if (compact && Alive(envelope, a.shape[1]) is { } columns)
        {
            long batch = columns.shape[0], kept = columns.shape[1], k = a.shape[1];
            var index = columns.unsqueeze(1).expand(batch, k, kept);
            var ac = a.flatten(2).expand(batch, k, -1).gather(2, index);
            Tensor? Pick(Tensor? t) => t is null ? null : t.dim() == a.dim() ? t.flatten(2).gather(2, index) : t.flatten(1).gather(1, columns);
            var nextCompact = SignSplit.Combine(ac, Expand(Pick(pos)!, ac), Expand(Pick(neg)!, ac));
            return new(nextCompact, LinearBound.Add(bound.Const, SignSplit.Sum(ac, Pick(muPos), Pick(muNeg))), columns);
        }
        var next = SignSplit.Combine(a, Expand(pos, a), Expand(neg, a));
        return new(next, LinearBound.Add(bound.Const, SignSplit.Sum(a, muPos, muNeg)));
    }

    // Per example the neurons whose envelope is not identically zero, first (padded with dead ones to the batch
    // maximum), or null when too many are alive for compaction to pay (for a bound of `rows` rows).
    internal static Tensor? Alive(ReluEnvelope e, long rows)
    {
        // A per-spec factor [B, K, …] has one dimension more than the per-neuron λ_u [B, …]: alive if alive in any row.
        // (Comparing shape[1] instead would misread [B, K, n] when K happens to equal n, or K = C for conv layers.)
        Tensor Nonzero(Tensor t) => (t.dim() > e.LambdaUpper.dim() ? t.ne(0).any(1) : t.ne(0)).flatten(1);
        var alive = Nonzero(e.LambdaLower).logical_or(Nonzero(e.LambdaUpper));
        if (e.MuLower is not null) alive = alive.logical_or(Nonzero(e.MuLower));
        if (e.MuUpper is not null) alive = alive.logical_or(Nonzero(e.MuUpper));
        long n = alive.shape[1];
        long kept = Math.Max(1, alive.sum(1).max().item<long>());
        if (kept > (rows >= ManyRows ? CompactBelowManyRows : CompactBelow) * n) return null;
        var (_, order) = alive.to(ScalarType.Int32).sort(1, descending: true, stable: true);
        return order.narrow(1, 0, kept);
    }

    // eye over the neurons of a per-neuron tensor [B, …]: [1, n, …].
    static Tensor Identity(Tensor perNeuron)
    {
        long[] shape = perNeuron.shape[1..];
        return eye(shape.Aggregate(1L, (x, y) => x * y), dtype: perNeuron.dtype, device: perNeuron.device).view([1, -1, .. shape]);
    }

    // A per-neuron factor [B, …] broadcasts over the spec dimension of A [S, K, …].
    static Tensor Expand(Tensor factor, Tensor a) =>
        factor.dim() == a.dim() ? factor : factor.unsqueeze(1);
}
