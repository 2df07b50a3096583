using Certify.Functional.Bounds;
using Certify.Functional.Relaxations.Shared;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.DeepPoly;

/// <summary>Both sides through ReLU at once. Where the envelope's two lines coincide (stable neurons: y = λx, no
/// offset) both sides are scaled by the same λ, the factored difference included; only the neurons where they differ
/// (crossing) need each side's own sign split (relaxations.md §3.7), done on those columns alone: their mean joins the middle and
/// their half-difference becomes new rank of the difference (one unit row of V per such neuron). Same bound as two
/// <see cref="Backward"/> calls, up to float summation order.</summary>
public static partial class ReluDeepPoly
{
    /// <summary>The pair in terms of the ReLU's input; <paramref name="compact"/> as in <see cref="Backward"/>. Falls back
    /// to two separate sides when the difference's rank would exceed half the rows (then two chains are cheaper).</summary>
    public static LinearBoundPair BackwardPair(ReluEnvelope envelope, LinearBoundPair bound, bool compact = false)
    {
        if (envelope.Shift is not null)
            throw new ArgumentException("A ReLU envelope's Lagrangian shift (β-CROWN) applies to lower bounds only, not to a pair of sides.", nameof(envelope));
        if (bound is SeparateSides s)
            return new SeparateSides(Backward(envelope, s.Lower, lower: true, compact), Backward(envelope, s.Upper, lower: false, compact));
        var f = SidePairs.WithUnitRows((FactoredSides)bound);
        var a = f.Mid.A ?? Identity(envelope.LambdaUpper);                      // [S, K, …n]
        var (lambdaL, lambdaU) = (envelope.LambdaLower.flatten(1), envelope.LambdaUpper.flatten(1));
        if (envelope.LambdaLower.dim() != envelope.LambdaUpper.dim()) return BackwardPair(envelope, SidePairs.Separate(f, a), compact);
        var differ = lambdaL.ne(lambdaU);                                        // [B, n]
        if (envelope.MuLower is { } ml) differ = differ.logical_or(ml.flatten(1).ne(0));
        if (envelope.MuUpper is { } mu) differ = differ.logical_or(mu.flatten(1).ne(0));
        long crossing = differ.sum(1).max().item<long>(), k = a.shape[1], rank = f.U?.shape[2] ?? 0;
        if (2 * (rank + crossing) > k) return BackwardPair(envelope, SidePairs.Separate(f, a), compact);
        var same = where(differ, zeros_like(lambdaU), lambdaU).unsqueeze(1);   // [B, 1, n]: the common slope, 0 where sides differ
        var mid = a.flatten(2) * same;                                          // [B, K, n]
        var v = f.V is null ? null : f.V.flatten(2) * same;                     // [B, r, n]
        Tensor? u = f.U, constant = f.Mid.Const, gap = f.Gap, units = null;
        if (crossing > 0)
        {
            long batch = differ.shape[0], n = differ.shape[1];
            var (_, order) = differ.to(ScalarType.Int32).sort(1, descending: true, stable: true);
            var columns = order.narrow(1, 0, crossing);                         // [B, c], padded with non-differing columns
            var valid = differ.gather(1, columns).to(a.dtype).unsqueeze(1);     // [B, 1, c]
            var index = columns.unsqueeze(1).expand(batch, k, crossing);
            var ac = a.flatten(2).expand(batch, k, n).gather(2, index);         // [B, K, c]
            var qc = f.U is null ? null : bmm(f.U, f.V!.flatten(2).gather(2, columns.unsqueeze(1).expand(batch, rank, crossing)));
            var (lowerA, upperA) = qc is null ? (ac, ac) : (ac - qc, ac + qc);
            Tensor? Pick(Tensor? t) => t?.flatten(1).gather(1, columns).unsqueeze(1);
            var (pl, pu, ml2, mu2) = (Pick(lambdaL)!, Pick(lambdaU)!, Pick(envelope.MuLower), Pick(envelope.MuUpper));
            var lowerNext = SignSplit.Combine(lowerA, pl, pu);
            var upperNext = SignSplit.Combine(upperA, pu, pl);
            mid = mid.scatter_add(2, index, (lowerNext + upperNext) * 0.5 * valid);
            var half = (upperNext - lowerNext) * 0.5 * valid;
            u = u is null ? half : cat([u, half], 2);
            units = columns;                                                    // V's new rows: unit rows at these neurons
            var (cl, cu) = (SignSplit.Sum(lowerA, ml2, mu2), SignSplit.Sum(upperA, mu2, ml2));   // offsets: 0 at padded columns
            if (cl is not null && cu is not null)
            {
                constant = LinearBound.Add(constant, (cl + cu) * 0.5);
                gap = LinearBound.Add(gap, (cu - cl) * 0.5);
            }
        }
        long[] shape = envelope.LambdaUpper.shape[1..];
        var next = new LinearBound(mid.view([mid.shape[0], k, .. shape]), constant);
        var rows = v?.view([v.shape[0], v.shape[1], .. shape]);
        if (compact && Alive(envelope, k) is { } alive)
        {
            Tensor Gather(Tensor t) => t.flatten(2).gather(2, alive.unsqueeze(1).expand(alive.shape[0], t.shape[1], alive.shape[1]));
            return new FactoredSides(new LinearBound(Gather(next.A!), constant, alive), u, rows is null ? null : Gather(rows), gap, units);
        }
        return new FactoredSides(next, u, rows, gap, units);
    }
}
