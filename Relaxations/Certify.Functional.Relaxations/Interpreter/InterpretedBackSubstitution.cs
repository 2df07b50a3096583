using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.DeepPoly;
using Certify.Functional.Relaxations.Shared;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Interpreter;

/// <summary>
/// CROWN / DeepPoly back-substitution (SPEC §3.7) over any <see cref="NetworkModule"/>: the bounds of every ReLU input
/// by back-substituting from the layer before it down to the input (or, for CROWN-IBP, given IBP bounds), then the
/// specification from the last layer (lower side only for logit differences, both sides per logit).
/// </summary>
public static class InterpretedBackSubstitution
{
    /// <summary>Runs the back-substitution. <paramref name="intermediate"/> (one Box per ReLU) replaces the
    /// back-substituted intermediate bounds when given (CROWN-IBP); <paramref name="lowerSlopes"/> (one per ReLU,
    /// or null entries; [B, …] or per spec row [B, K, …]) replace the heuristic lower slopes of the final
    /// back-substitution (iclr2021, α-CROWN).</summary>
    public static BackSubstitution Propagate(NetworkModule net, Tensor lo, Tensor hi, CrownOptions options, Spec spec,
        IReadOnlyList<Box>? intermediate = null, IReadOnlyList<Tensor?>? lowerSlopes = null)
    {
        var layers = net.Description.Layers;
        var envelopes = new ReluEnvelope?[layers.Count];
        var pre = new List<Box>();
        var margins = RoundingMargin.For(net, options, lo, hi);
        foreach (var layer in layers)
        {
            if (layer.Declaration.Kind != LayerKind.ReLU) continue;
            long[] shape = [lo.shape[0], .. layer.Input.Dims.Select(d => (long)d)];
            var bounds = intermediate?[pre.Count] ?? Both(RunPair(net, envelopes, layer.Index - 1, lo, hi), shape);
            envelopes[layer.Index] = CrownEnvelopes.Compute(options, bounds, margin: margins?[pre.Count]);
            pre.Add(bounds);
        }
        var final = lowerSlopes is null ? envelopes : Envelopes(net, options, pre, lowerSlopes, margins);
        var lower = Specification(net, final, spec, lo, hi, lower: true);
        var upper = spec is DiffSpec ? null : Specification(net, final, spec, lo, hi, lower: false);
        return new BackSubstitution(pre, lower, upper, envelopes.Where(e => e is not null).Select(e => e!).ToList());
    }

    /// <summary>One side of the bounds of the input of ReLU number <c>earlier.Count</c> (in ReLU order), [B, …ReLU input],
    /// by back-substituting the identity over the envelopes of the <paramref name="earlier"/> ReLUs' bounds, with
    /// <paramref name="slopes"/> (null, or one per earlier ReLU: null or per row [B, n, …] with n the number of
    /// neurons bounded) replacing their heuristic lower slopes. Used to optimise intermediate slopes (α-CROWN).</summary>
    public static Tensor PreActivationSide(NetworkModule net, Tensor lo, Tensor hi, CrownOptions options,
        IReadOnlyList<Box> earlier, IReadOnlyList<Tensor?>? slopes, bool lower)
    {
        var layer = net.Description.Layers.Where(l => l.Declaration.Kind == LayerKind.ReLU).ElementAt(earlier.Count);
        long[] shape = [lo.shape[0], .. layer.Input.Dims.Select(d => (long)d)];
        return Run(net, Envelopes(net, options, earlier, slopes, RoundingMargin.For(net, options, lo, hi)), layer.Index - 1, LinearBound.Identity, lo, hi, lower).view(shape);
    }

    /// <summary>One side of the specification's bounds [B, K] given the bounds of every ReLU input
    /// (<paramref name="pre"/>) and lower slopes as in <see cref="Propagate"/>. The lower side of the lower bound, the
    /// upper side of the per-logit upper bound.</summary>
    public static Tensor SpecificationSide(NetworkModule net, Tensor lo, Tensor hi, CrownOptions options, Spec spec,
        IReadOnlyList<Box> pre, IReadOnlyList<Tensor?>? slopes, bool lower) =>
        Specification(net, Envelopes(net, options, pre, slopes, RoundingMargin.For(net, options, lo, hi)), spec, lo, hi, lower);

    // The envelopes of the first boxes.Count ReLUs (indexed by layer), with the given lower slopes where not null and
    // the "-C" constants rounded outward by the margins (RoundingMargin) when given.
    static ReluEnvelope?[] Envelopes(NetworkModule net, CrownOptions options, IReadOnlyList<Box> boxes, IReadOnlyList<Tensor?>? slopes,
        IReadOnlyList<Tensor>? margins)
    {
        var layers = net.Description.Layers;
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
    static Tensor Specification(NetworkModule net, ReluEnvelope?[] envelopes, Spec spec, Tensor lo, Tensor hi, bool lower)
    {
        var layers = net.Description.Layers;
        int last = layers.Count - 1;
        var start = layers[last].Declaration.Kind == LayerKind.Dense
            ? DenseDeepPoly.Backward(SpecLayer.Merge(net.DenseAt(last), spec), LinearBound.Identity)
            : SpecLayer.AsLayer(spec, lo.dtype) is { } asLayer ? DenseDeepPoly.Backward(asLayer, LinearBound.Identity) : Eye(net, lo);
        int from = layers[last].Declaration.Kind == LayerKind.Dense ? last - 1 : last;
        return Run(net, envelopes, from, start, lo, hi, lower);
    }

    // Per-logit bounds of a network that does not end in Dense (… → ReLU → Flatten): the identity over the flat output,
    // materialised (a null A cannot pass a ReLU), [1, K, …output].
    static LinearBound Eye(NetworkModule net, Tensor lo)
    {
        long k = net.Description.Output.Size;
        return new(eye(k, dtype: lo.dtype, device: lo.device).view([1, k, .. net.Description.Output.Dims.Select(d => (long)d)]), null);
    }

    static Box Both((Tensor Lower, Tensor Upper) sides, long[] shape) => Box.FromBounds(sides.Lower.view(shape), sides.Upper.view(shape));

    // Both sides of the identity from layer `from` down to the input in one chain (the pre-activation bounds).
    static (Tensor Lower, Tensor Upper) RunPair(NetworkModule net, ReluEnvelope?[] envelopes, int from, Tensor lo, Tensor hi)
    {
        var bound = LinearBoundPair.Identity;
        for (int j = from; j >= 0; j--)
        {
            var layer = net.Description.Layers[j];
            var input = layer.Input.Dims.Select(d => (long)d).ToArray();
            bound = layer.Declaration.Kind switch
            {
                LayerKind.Dense => DenseDeepPoly.BackwardPair(net.DenseAt(j), bound),
                LayerKind.Conv2d => Conv2dDeepPoly.BackwardPair(net.Conv2dAt(j), input, bound),
                LayerKind.Normalize => NormalizeDeepPoly.BackwardPair(net.NormalizeAt(j), input, bound),
                LayerKind.Flatten => FlattenDeepPoly.BackwardPair(input, bound),
                LayerKind.ReLU => ReluDeepPoly.BackwardPair(envelopes[j] ?? throw new InvalidOperationException($"ReLU {j} has no bounds yet."), bound,
                    compact: j > 0 && net.Description.Layers[j - 1].Declaration.Kind == LayerKind.Dense),
                _ => throw new InvalidOperationException($"Layer {j}: no back-substitution for {layer.Declaration.Kind}."),
            };
        }
        return InputDeepPoly.ConcretizePair(bound, lo, hi);
    }

    static Tensor Run(NetworkModule net, ReluEnvelope?[] envelopes, int from, LinearBound bound, Tensor lo, Tensor hi, bool lower)
    {
        for (int j = from; j >= 0; j--)
        {
            var layer = net.Description.Layers[j];
            var input = layer.Input.Dims.Select(d => (long)d).ToArray();
            bound = layer.Declaration.Kind switch
            {
                LayerKind.Dense => DenseDeepPoly.Backward(net.DenseAt(j), bound),
                LayerKind.Conv2d => Conv2dDeepPoly.Backward(net.Conv2dAt(j), input, bound),
                LayerKind.Normalize => NormalizeDeepPoly.Backward(net.NormalizeAt(j), input, bound),
                LayerKind.Flatten => FlattenDeepPoly.Backward(input, bound),
                LayerKind.ReLU => ReluDeepPoly.Backward(envelopes[j] ?? throw new InvalidOperationException($"ReLU {j} has no bounds yet."), bound, lower,
                    compact: j > 0 && net.Description.Layers[j - 1].Declaration.Kind == LayerKind.Dense),
                _ => throw new InvalidOperationException($"Layer {j}: no back-substitution for {layer.Declaration.Kind}."),
            };
        }
        return InputDeepPoly.Concretize(bound, lo, hi, lower);
    }
}
