using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.DeepPoly;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Relaxations.Ibp;
using static TorchSharp.torch;

namespace Certify.Functional.Verification.Optimization;

/// <summary>What α-CROWN proves about a batch.</summary>
/// <param name="PreActivation">Bounds at every ReLU input (CROWN's, or optimised with <see cref="AlphaCrownOptions.Intermediate"/>).</param>
/// <param name="Lower">Lower bounds of the specification [B, K], computed with the optimised slopes (differentiable in
/// the network's parameters when gradients are enabled; the slopes themselves are detached).</param>
/// <param name="Upper">Per-logit upper bounds [B, K] (own slopes, minimised), or null for differences.</param>
/// <param name="LowerSlopes">The optimised slopes of the lower side, one per ReLU, [B, K, …] in [0, 1].</param>
/// <param name="InitialLower">The lower bound at the starting point (CROWN's adaptive slopes), [B, K], detached.</param>
public sealed record AlphaCrownResult(IReadOnlyList<Box> PreActivation, Tensor Lower, Tensor? Upper, IReadOnlyList<Tensor> LowerSlopes, Tensor InitialLower);

/// <summary>
/// α-CROWN (Xu et al. 2021, "Fast and Complete", §3.1) as a differentiable Triangle relaxation (relaxations.md §3.11): CROWN
/// whose lower slopes α ∈ [0, 1] are chosen per example, per neuron and per spec row by projected gradient ascent on
/// the bound (<see cref="SlopeAscent"/>), starting from CROWN's adaptive slopes. Sound at every iterate: any lower line
/// αx with α ∈ [0, 1] lies below relu on [l, u]. For fixed intermediate bounds and one hidden layer the optimum equals
/// the triangle LP's (LP duality). Intermediate bounds: CROWN's, or with
/// <see cref="AlphaCrownOptions.Intermediate"/> each ReLU input's bounds optimised in turn (lower and upper side,
/// slopes [B, n_i, …] per earlier ReLU), given the already optimised earlier ones; with
/// <see cref="AlphaCrownOptions.IntersectIbp"/> each intersected with IBP's (IBP propagated from the intersected boxes). The optimisation runs on detached
/// copies (network parameters frozen); the returned bounds are recomputed with the best slopes so that the network's
/// loss gradient flows through them (skipped under no_grad, where the tracked best values are returned).
/// </summary>
public static class AlphaCrown
{
    static readonly CrownOptions Adaptive = new();

    /// <summary>Bounds of <paramref name="spec"/> over the box [<paramref name="lo"/>, <paramref name="hi"/>] ([B, …input]).</summary>
    public static AlphaCrownResult Propagate(NetworkModule net, Tensor lo, Tensor hi, AlphaCrownOptions options, Spec spec)
    {
        var walk = LayerWalk.For(net);                                         // a declared network's generated chains
        var (loD, hiD) = (lo.detach(), hi.detach());
        var pre = new List<Box>();
        var relus = net.Description.Layers.Where(l => l.Declaration.Kind == LayerKind.ReLU).ToArray();
        Box Bound(int index, Box? ibp)
        {
            var relu = relus[index];
            var earlier = pre.ToArray();
            long[] shape = [lo.shape[0], .. relu.Input.Dims.Select(n => (long)n)];
            Tensor Side(bool lower) => (options.Intermediate && earlier.Length > 0
                ? Optimize(options, earlier, lower,
                    (boxes, slopes) => CrownBackSubstitution.PreActivationSide(walk, loD, hiD, Adaptive, boxes, slopes, lower).flatten(1),
                    slopes => CrownBackSubstitution.PreActivationSide(walk, lo, hi, Adaptive, earlier, slopes, lower),
                    relu.Input.Size).Value
                : CrownBackSubstitution.PreActivationSide(walk, lo, hi, Adaptive, earlier, null, lower)).view(shape);
            var crown = Box.FromBounds(Side(lower: true), Side(lower: false));
            var bounds = ibp is null ? crown : BoxIntersection.Of(crown, ibp);
            pre.Add(bounds);
            return bounds;
        }
        if (options.IntersectIbp) CrownBackSubstitution.IntersectedWithIbp(walk, lo, hi, Bound);
        else for (int i = 0; i < relus.Length; i++) Bound(i, null);
        long k = spec switch { DiffSpec d => d.Others.shape[1], RowSpec r => r.Matrix.shape[1], _ => net.Description.Output.Size };
        (Tensor Value, SlopeAscentResult? Run) Final(bool lower) => Optimize(options, pre, lower,
            (boxes, slopes) => CrownBackSubstitution.SpecificationSide(walk, loD, hiD, Adaptive, spec, boxes, slopes, lower),
            slopes => CrownBackSubstitution.SpecificationSide(walk, lo, hi, Adaptive, spec, pre, slopes, lower), k);
        var (lowerValue, run) = Final(lower: true);
        var upperValue = spec.LowerOnly ? null : Final(lower: false).Value;
        return new AlphaCrownResult(pre, lowerValue, upperValue, run?.Slopes ?? [], run?.Initial ?? lowerValue.detach());
    }

    // One side of a bound with rows [B, rows]: slopes per earlier ReLU [B, rows, …] from CROWN's adaptive ones, ascent on
    // the detached problem (the upper side as the maximum of −upper), then the bound with the best slopes.
    static (Tensor Value, SlopeAscentResult? Run) Optimize(AlphaCrownOptions options, IReadOnlyList<Box> boxes, bool lower,
        Func<IReadOnlyList<Box>, IReadOnlyList<Tensor?>, Tensor> detachedBound, Func<IReadOnlyList<Tensor?>, Tensor> bound, long rows)
    {
        if (boxes.Count == 0) return (bound([]), null);
        var frozen = boxes.Select(b => new Box(b.Center.detach(), b.Radius.detach())).ToArray();
        var start = frozen.Select(b => Expand(CrownEnvelopes.Compute(Adaptive, b).LambdaLower, rows)).ToArray();
        double sign = lower ? 1 : -1;
        var run = SlopeAscent.Maximize(slopes => sign * detachedBound(frozen, slopes), start, options);
        if (!is_grad_enabled()) return (sign * run.Best, run);                   // certification: the best values themselves
        return (bound(run.Slopes.Cast<Tensor?>().ToArray()), run);
    }

    // CROWN's slopes [B, …] as the same start for every row: [B, rows, …].
    static Tensor Expand(Tensor slope, long rows) =>
        slope.unsqueeze(1).expand([slope.shape[0], rows, .. slope.shape[1..]]).contiguous();
}
