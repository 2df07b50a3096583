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
    /// or null entries) replace the heuristic lower slopes of the final back-substitution (iclr2021, α-CROWN).</summary>
    public static BackSubstitution Propagate(NetworkModule net, Tensor lo, Tensor hi, CrownOptions options, Spec spec,
        IReadOnlyList<Box>? intermediate = null, IReadOnlyList<Tensor?>? lowerSlopes = null)
    {
        var layers = net.Description.Layers;
        var envelopes = new ReluEnvelope?[layers.Count];
        var pre = new List<Box>();
        foreach (var layer in layers)
        {
            if (layer.Declaration.Kind != LayerKind.ReLU) continue;
            long[] shape = [lo.shape[0], .. layer.Input.Dims.Select(d => (long)d)];
            var bounds = intermediate?[pre.Count] ?? Box.FromBounds(
                Run(net, envelopes, layer.Index - 1, LinearBound.Identity, lo, hi, lower: true).view(shape),
                Run(net, envelopes, layer.Index - 1, LinearBound.Identity, lo, hi, lower: false).view(shape));
            pre.Add(bounds);
            envelopes[layer.Index] = CrownEnvelopes.Compute(options, bounds);
        }
        var final = envelopes;
        if (lowerSlopes is not null)
        {
            final = (ReluEnvelope?[])envelopes.Clone();
            int k = 0;
            foreach (var layer in layers.Where(l => l.Declaration.Kind == LayerKind.ReLU))
                if (lowerSlopes[k++] is { } slope) final[layer.Index] = CrownEnvelopes.Compute(options, pre[k - 1], slope);
        }
        int last = layers.Count - 1;
        var start = layers[last].Declaration.Kind == LayerKind.Dense
            ? DenseDeepPoly.Backward(SpecLayer.Merge(net.DenseAt(last), spec), LinearBound.Identity)
            : SpecLayer.AsLayer(spec) is { } asLayer ? DenseDeepPoly.Backward(asLayer, LinearBound.Identity) : LinearBound.Identity;
        int from = layers[last].Declaration.Kind == LayerKind.Dense ? last - 1 : last;
        var lower = Run(net, final, from, start, lo, hi, lower: true);
        var upper = spec is DiffSpec ? null : Run(net, final, from, start, lo, hi, lower: false);
        return new BackSubstitution(pre, lower, upper, envelopes.Where(e => e is not null).Select(e => e!).ToList());
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
