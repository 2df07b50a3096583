using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Relaxations.Ibp;
using Certify.Functional.Relaxations.Shared;
using LanguageExt;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.DeepPoly;

/// <summary>
/// CROWN / DeepPoly back-substitution (relaxations.md §3.7) over a network's <see cref="ILayerWalk"/> (a declared network's
/// generated chains, or the interpreter's): the bounds of every ReLU input by back-substituting both sides from the
/// layer before it down to the input (or, for CROWN-IBP, given IBP bounds), then the specification from the last layer
/// (lower side only for logit differences, both sides per logit). One driver for every caller: training, certification,
/// iclr2021 and α-CROWN.
/// </summary>
public static class CrownBackSubstitution
{
    /// <summary>Runs the back-substitution. <paramref name="intermediate"/> (one Box per ReLU) replaces the
    /// back-substituted intermediate bounds when given (CROWN-IBP); otherwise, with <see cref="CrownOptions.IntersectIbp"/>,
    /// each back-substituted intermediate bound is intersected with IBP's, IBP propagated from the intersected boxes
    /// (<see cref="RefinedBoxRelaxations"/>). <paramref name="lowerSlopes"/> (one per ReLU,
    /// or null entries; [B, …] or per spec row [B, K, …]) replace the heuristic lower slopes of the final
    /// back-substitution (iclr2021, α-CROWN).</summary>
    public static BackSubstitution Propagate(ILayerWalk walk, Tensor lo, Tensor hi, CrownOptions options, Spec spec,
        IReadOnlyList<Box>? intermediate = null, IReadOnlyList<Tensor?>? lowerSlopes = null)
    {
        var layers = walk.Network.Description.Layers;
        var relus = layers.Where(l => l.Declaration.Kind == LayerKind.ReLU).ToArray();
        var envelopes = new ReluEnvelope?[layers.Count];
        var pre = new List<Box>();
        var margins = RoundingMargin.For(walk, options, lo, hi);
        Box Bound(int k, Box? ibp)
        {
            var layer = relus[k];
            var crown = intermediate?[k] ?? Both(walk.BackSubstitute<DeepPolyBothSides, LinearBoundPair, Unit, (Tensor Lower, Tensor Upper)>(
                layer.Index - 1, LinearBoundPair.Identity, envelopes, lo, hi, default), Shape(lo, layer));
            var bounds = ibp is null ? crown : BoxIntersection.Of(crown, ibp);
            envelopes[layer.Index] = CrownEnvelopes.Compute(options, bounds, margin: margins?[k]);
            pre.Add(bounds);
            return bounds;
        }
        if (options.IntersectIbp && intermediate is null) IntersectedWithIbp(walk, lo, hi, Bound);
        else for (int k = 0; k < relus.Length; k++) Bound(k, null);
        var final = lowerSlopes is null ? envelopes : Envelopes(walk, options, pre, lowerSlopes, margins);
        var lower = Specification(walk, final, spec, lo, hi, lower: true);
        var upper = spec.LowerOnly ? null : Specification(walk, final, spec, lo, hi, lower: false);
        return new BackSubstitution(pre, lower, upper, envelopes.Where(e => e is not null).Select(e => e!).ToList());
    }

    /// <summary>Walks IBP over [<paramref name="lo"/>, <paramref name="hi"/>] calling <paramref name="bound"/>(k, IBP box of
    /// ReLU k's input) for every ReLU in order; IBP continues from the box it returns (<see cref="RefinedBoxRelaxations"/>).
    /// <paramref name="bound"/> computes the tighter bounds from the earlier ReLUs' and intersects them with the IBP box
    /// (<see cref="BoxIntersection"/>). Used by CROWN and α-CROWN for IBP-intersected intermediate bounds.</summary>
    public static void IntersectedWithIbp(ILayerWalk walk, Tensor lo, Tensor hi, Func<int, Box, Box> bound) =>
        walk.Propagate<RefinedBoxRelaxations, Box, Func<int, Box, Box>>(InputRegion.Box(lo, hi), bound, spec: null);

    /// <summary>One side of the bounds of the input of ReLU number <c>earlier.Count</c> (in ReLU order), [B, …ReLU input],
    /// by back-substituting the identity over the envelopes of the <paramref name="earlier"/> ReLUs' bounds, with
    /// <paramref name="slopes"/> (null, or one per earlier ReLU: null or per row [B, n, …] with n the number of
    /// neurons bounded) replacing their heuristic lower slopes. Used to optimise intermediate slopes (α-CROWN).</summary>
    public static Tensor PreActivationSide(ILayerWalk walk, Tensor lo, Tensor hi, CrownOptions options,
        IReadOnlyList<Box> earlier, IReadOnlyList<Tensor?>? slopes, bool lower)
    {
        var layer = walk.Network.Description.Layers.Where(l => l.Declaration.Kind == LayerKind.ReLU).ElementAt(earlier.Count);
        var envelopes = Envelopes(walk, options, earlier, slopes, RoundingMargin.For(walk, options, lo, hi));
        return walk.BackSubstitute<DeepPolyOneSide, LinearBound, bool, Tensor>(layer.Index - 1, LinearBound.Identity, envelopes, lo, hi, lower)
            .view(Shape(lo, layer));
    }

    /// <summary>One side of the specification's bounds [B, K] given the bounds of every ReLU input
    /// (<paramref name="pre"/>) and lower slopes as in <see cref="Propagate"/>. The lower side of the lower bound, the
    /// upper side of the per-logit upper bound. <paramref name="shifts"/> (lower side only; null, or one per ReLU: null or
    /// [B, K, …]) are β-CROWN's Lagrangian terms (<see cref="ReluEnvelope.Shift"/>).</summary>
    public static Tensor SpecificationSide(ILayerWalk walk, Tensor lo, Tensor hi, CrownOptions options, Spec spec,
        IReadOnlyList<Box> pre, IReadOnlyList<Tensor?>? slopes, bool lower, IReadOnlyList<Tensor?>? shifts = null)
    {
        var envelopes = Envelopes(walk, options, pre, slopes, RoundingMargin.For(walk, options, lo, hi));
        if (shifts is not null)
        {
            int k = 0;
            foreach (var layer in walk.Network.Description.Layers.Where(l => l.Declaration.Kind == LayerKind.ReLU).Take(pre.Count))
            {
                if (shifts[k] is { } shift) envelopes[layer.Index] = envelopes[layer.Index]! with { Shift = shift };
                k++;
            }
        }
        return Specification(walk, envelopes, spec, lo, hi, lower);
    }

    // The envelopes of the first boxes.Count ReLUs (indexed by layer), with the given lower slopes where not null and
    // the "-C" constants rounded outward by the margins (RoundingMargin) when given.
    static ReluEnvelope?[] Envelopes(ILayerWalk walk, CrownOptions options, IReadOnlyList<Box> boxes, IReadOnlyList<Tensor?>? slopes,
        IReadOnlyList<Tensor>? margins)
    {
        var layers = walk.Network.Description.Layers;
        var envelopes = new ReluEnvelope?[layers.Count];
        int k = 0;
        foreach (var layer in layers.Where(l => l.Declaration.Kind == LayerKind.ReLU).Take(boxes.Count))
        {
            envelopes[layer.Index] = CrownEnvelopes.Compute(options, boxes[k], slopes?[k], margins?[k]);
            k++;
        }
        return envelopes;
    }

    // The specification from the last layer down (merged into a final Dense layer, or a layer of its own).
    static Tensor Specification(ILayerWalk walk, ReluEnvelope?[] envelopes, Spec spec, Tensor lo, Tensor hi, bool lower)
    {
        var net = walk.Network;
        var layers = net.Description.Layers;
        int last = layers.Count - 1;
        bool mergedDense = last >= 0 && layers[last].Declaration.Kind == LayerKind.Dense;
        var start = mergedDense
            ? DenseDeepPoly.Backward(SpecLayer.Merge(net.DenseAt(last), spec), LinearBound.Identity)
            : SpecLayer.AsLayer(spec, lo.dtype) is { } asLayer ? DenseDeepPoly.Backward(asLayer, LinearBound.Identity) : Eye(walk, lo);
        return walk.BackSubstitute<DeepPolyOneSide, LinearBound, bool, Tensor>(mergedDense ? last - 1 : last, start, envelopes, lo, hi, lower);
    }

    // Per-logit bounds of a network that does not end in Dense (… → ReLU → Flatten): the identity over the flat output,
    // materialised (a null A cannot pass a ReLU), [1, K, …output].
    static LinearBound Eye(ILayerWalk walk, Tensor lo)
    {
        var output = walk.Network.Description.Output;
        long k = output.Size;
        return new(eye(k, dtype: lo.dtype, device: lo.device).view([1, k, .. output.Dims.Select(d => (long)d)]), null);
    }

    static long[] Shape(Tensor lo, ResolvedLayer relu) => [lo.shape[0], .. relu.Input.Dims.Select(d => (long)d)];

    static Box Both((Tensor Lower, Tensor Upper) sides, long[] shape) => Box.FromBounds(sides.Lower.view(shape), sides.Upper.view(shape));
}
