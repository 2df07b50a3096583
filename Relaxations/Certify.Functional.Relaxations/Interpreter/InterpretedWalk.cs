using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.DeepPoly;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Relaxations.Shared;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Interpreter;

/// <summary>
/// The interpreter: one loop over the layer list for every forward domain and one for every back-substitution table,
/// for any <see cref="NetworkModule"/> (e.g. one read from JSON). A declared network's generated code calls the same
/// table members in the same order (the generated and interpreted walks are tested to agree).
/// </summary>
public sealed class InterpretedWalk(NetworkModule network) : ILayerWalk
{
    /// <inheritdoc/>
    public NetworkModule Network { get; } = network;

    /// <inheritdoc/>
    public Propagation<TElement> Propagate<TTable, TElement, TContext>(TElement input, TContext context, Spec? spec)
        where TTable : struct, IForwardRelaxations<TElement, TContext>
    {
        var layers = Network.Description.Layers;
        var pre = new List<Box>();
        var x = input;
        int ordinal = 0;
        foreach (var layer in layers)
        {
            int i = layer.Index;
            x = layer.Declaration.Kind switch
            {
                LayerKind.Normalize => TTable.Normalize(Network.NormalizeAt(i), x),
                LayerKind.Flatten => TTable.Flatten(x),
                LayerKind.Dense => spec is not null && i == layers.Count - 1 ? TTable.SpecDense(Network.DenseAt(i), spec, x) : TTable.Dense(Network.DenseAt(i), x),
                LayerKind.Conv2d => TTable.Conv2d(Network.Conv2dAt(i), x),
                LayerKind.ReLU => Record(pre, TTable.Relu(x, context, ordinal++)),
                _ => throw new InvalidOperationException($"Layer {i}: no relaxation for {layer.Declaration.Kind}."),
            };
        }
        bool endsWithDense = layers.Count > 0 && layers[^1].Declaration.Kind == LayerKind.Dense;
        if (spec is not null && !endsWithDense && SpecLayer.AsLayer(spec, Network) is { } specLayer)
            x = TTable.Dense(specLayer, x);
        return new(pre, x);
    }

    /// <inheritdoc/>
    public TResult BackSubstitute<TTable, TBound, TSide, TResult>(int from, TBound bound, IReadOnlyList<ReluEnvelope?> envelopes, Tensor lo, Tensor hi, TSide side)
        where TTable : struct, IBackwardRelaxations<TBound, TSide, TResult>
    {
        var layers = Network.Description.Layers;
        if (from < -1 || from >= layers.Count) throw LayerWalk.NoLayer(from, layers.Count);
        for (int j = from; j >= 0; j--)
        {
            var layer = layers[j];
            var input = layer.Input.Dims.Select(d => (long)d).ToArray();
            bound = layer.Declaration.Kind switch
            {
                LayerKind.Dense => TTable.Dense(Network.DenseAt(j), bound),
                LayerKind.Conv2d => TTable.Conv2d(Network.Conv2dAt(j), input, bound),
                LayerKind.Normalize => TTable.Normalize(Network.NormalizeAt(j), input, bound),
                LayerKind.Flatten => TTable.Flatten(input, bound),
                LayerKind.ReLU => TTable.Relu(LayerWalk.Envelope(envelopes, j), bound, compact: j > 0 && layers[j - 1].Declaration.Kind == LayerKind.Dense, side),
                _ => throw new InvalidOperationException($"Layer {j}: no back-substitution for {layer.Declaration.Kind}."),
            };
        }
        return TTable.Concretize(bound, lo, hi, side);
    }

    static TElement Record<TElement>(List<Box> pre, ReluStep<TElement> step)
    {
        if (step.Bounds is { } b) pre.Add(b);
        return step.Output;
    }
}
