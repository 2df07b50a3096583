using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.DeepPoly;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Domains;

/// <summary>
/// The relaxation table of one forward domain: one member per layer kind, each a call into that domain's module
/// (<c>Ibp/DenseBox</c>, <c>DeepZ/ReluZonotope</c>, …). Implemented by type-level tables, one per domain in the domain's
/// folder (empty structs, never instantiated: <c>Ibp/BoxRelaxations</c>, <c>Hybrid/HybridRelaxations</c>, …; the
/// layer × domain matrix is in docs/architecture.md) and walked by <see cref="ILayerWalk.Propagate"/>: the interpreter's one loop, or a declared network's generated
/// straight-line code. A layer kind added here is a compile error in every table until each domain relaxes it.
/// </summary>
/// <typeparam name="TElement">The domain's element: a point tensor, a Box, a zonotope, ….</typeparam>
/// <typeparam name="TContext">What the domain's ReLU needs besides the element (options, given bounds; <see cref="LanguageExt.Unit"/> if nothing).</typeparam>
public interface IForwardRelaxations<TElement, TContext>
{
    /// <summary>Per-channel normalization.</summary>
    static abstract TElement Normalize(Normalize layer, TElement x);

    /// <summary>Flattening to [B, n].</summary>
    static abstract TElement Flatten(TElement x);

    /// <summary>A fully connected layer (W may be per example, [B, out, in], after a merged specification).</summary>
    static abstract TElement Dense(Dense layer, TElement x);

    /// <summary>The last Dense layer with the specification merged in (<c>SpecLayer.Merge</c>, or a tighter form).</summary>
    static abstract TElement SpecDense(Dense layer, Spec spec, TElement x);

    /// <summary>A 2-D convolution.</summary>
    static abstract TElement Conv2d(Conv2d layer, TElement x);

    /// <summary>ReLU number <paramref name="ordinal"/> (in layer order): its output and the bounds of its input that
    /// the relaxation used (recorded as the propagation's pre-activation bounds; null for domains that record none).</summary>
    static abstract ReluStep<TElement> Relu(TElement x, TContext context, int ordinal);
}

/// <summary>The output of a ReLU step and the pre-activation bounds it used (null when the domain records none).</summary>
public readonly record struct ReluStep<TElement>(TElement Output, Box? Bounds);

/// <summary>
/// The back-substitution table (CROWN / DeepPoly, relaxations.md §3.7): one member per layer kind moving a linear bound from
/// a layer's output to its input, and the concretization over the input region. Implemented by
/// <see cref="DeepPolyOneSide"/> (one side, <typeparamref name="TSide"/> = lower?) and <see cref="DeepPolyBothSides"/>
/// (both sides at once, the pre-activation chains); walked by <see cref="ILayerWalk.BackSubstitute"/>.
/// </summary>
/// <typeparam name="TBound">The linear bound carried down.</typeparam>
/// <typeparam name="TSide">Which side(s) (what the ReLU and the concretization need to know).</typeparam>
/// <typeparam name="TResult">The concretized bound.</typeparam>
public interface IBackwardRelaxations<TBound, TSide, TResult>
{
    /// <summary>Through a per-channel normalization with input shape <paramref name="input"/> (no batch dimension).</summary>
    static abstract TBound Normalize(Normalize layer, long[] input, TBound bound);

    /// <summary>Through a flattening with input shape <paramref name="input"/>.</summary>
    static abstract TBound Flatten(long[] input, TBound bound);

    /// <summary>Through a fully connected layer.</summary>
    static abstract TBound Dense(Dense layer, TBound bound);

    /// <summary>Through a 2-D convolution with input shape <paramref name="input"/>.</summary>
    static abstract TBound Conv2d(Conv2d layer, long[] input, TBound bound);

    /// <summary>Through a ReLU relaxed by <paramref name="envelope"/>; <paramref name="compact"/>: the layer before is Dense.</summary>
    static abstract TBound Relu(ReluEnvelope envelope, TBound bound, bool compact, TSide side);

    /// <summary>The bound's value over the input region [<paramref name="lo"/>, <paramref name="hi"/>].</summary>
    static abstract TResult Concretize(TBound bound, Tensor lo, Tensor hi, TSide side);
}

/// <summary>
/// A network's layer list, walked through any relaxation table: the interpreter's loops over the layer list
/// (<see cref="Interpreter.InterpretedWalk"/>, any network) or the generated straight-line code of a declared network
/// (the same table members in the same order; tests assert both agree). Every propagation, back-substitution driver,
/// slope optimiser and trainer goes through one of these, bound once per network (<see cref="LayerWalk.For"/>).
/// </summary>
public interface ILayerWalk
{
    /// <summary>The network walked.</summary>
    NetworkModule Network { get; }

    /// <summary>Propagates <paramref name="input"/> through every layer in the domain of <typeparamref name="TTable"/>;
    /// with a <paramref name="spec"/>, the specification is merged into a final Dense layer (<c>SpecDense</c>) or applied
    /// as a Dense layer of its own after the last layer. Fresh tensors (or the input itself when the network has no
    /// layers), owned by the caller's dispose scope.</summary>
    Propagation<TElement> Propagate<TTable, TElement, TContext>(TElement input, TContext context, Spec? spec)
        where TTable : struct, IForwardRelaxations<TElement, TContext>;

    /// <summary>Moves <paramref name="bound"/> from the output of layer <paramref name="from"/> down to the input (−1:
    /// nothing to move) and concretizes it; ReLU <c>j</c> uses <c>envelopes[j]</c> (indexed by layer).</summary>
    TResult BackSubstitute<TTable, TBound, TSide, TResult>(int from, TBound bound, IReadOnlyList<ReluEnvelope?> envelopes, Tensor lo, Tensor hi, TSide side)
        where TTable : struct, IBackwardRelaxations<TBound, TSide, TResult>;
}

/// <summary>Binding a network to its walk, and the small helpers the walks share.</summary>
public static class LayerWalk
{
    /// <summary>The network's generated walk when it is a declared network, the interpreter otherwise.</summary>
    public static ILayerWalk For(NetworkModule net) => net as ILayerWalk ?? new Interpreter.InterpretedWalk(net);

    /// <summary>The envelope of the ReLU at layer <paramref name="layer"/>, or an error naming it when it has none yet.</summary>
    public static ReluEnvelope Envelope(IReadOnlyList<ReluEnvelope?> envelopes, int layer) =>
        envelopes[layer] ?? throw new InvalidOperationException($"ReLU {layer} has no bounds yet.");

    /// <summary>The recorded bounds of the given ReLU steps, in order (the ones a domain does not record are skipped).</summary>
    public static IReadOnlyList<Box> Recorded(params ReadOnlySpan<Box?> bounds)
    {
        var list = new List<Box>(bounds.Length);
        foreach (var b in bounds)
            if (b is not null) list.Add(b);
        return list;
    }

    /// <summary>The layer that is out of the walk's range.</summary>
    public static ArgumentOutOfRangeException NoLayer(int from, int count) =>
        new(nameof(from), from, $"Back-substitution must start at a layer in [-1, {count - 1}].");
}
