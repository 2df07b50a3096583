using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Relaxations.Shared;
using LanguageExt;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.DeepPoly;

/// <summary>Back-substitution of one side (the side is the lower flag): the specification chains.</summary>
public readonly struct DeepPolyOneSide : IBackwardRelaxations<LinearBound, bool, Tensor>
{
    /// <inheritdoc/>
    public static LinearBound Normalize(Normalize layer, long[] input, LinearBound bound) => NormalizeDeepPoly.Backward(layer, input, bound);

    /// <inheritdoc/>
    public static LinearBound Flatten(long[] input, LinearBound bound) => FlattenDeepPoly.Backward(input, bound);

    /// <inheritdoc/>
    public static LinearBound Dense(Dense layer, LinearBound bound) => DenseDeepPoly.Backward(layer, bound);

    /// <inheritdoc/>
    public static LinearBound Conv2d(Conv2d layer, long[] input, LinearBound bound) => Conv2dDeepPoly.Backward(layer, input, bound);

    /// <inheritdoc/>
    public static LinearBound Relu(ReluEnvelope envelope, LinearBound bound, bool compact, bool side) =>
        ReluDeepPoly.Backward(envelope, bound, lower: side, compact: compact);

    /// <inheritdoc/>
    public static Tensor Concretize(LinearBound bound, Tensor lo, Tensor hi, bool side) => InputDeepPoly.Concretize(bound, lo, hi, lower: side);
}

/// <summary>Back-substitution of both sides at once (one chain; the pre-activation bounds).</summary>
public readonly struct DeepPolyBothSides : IBackwardRelaxations<LinearBoundPair, Unit, (Tensor Lower, Tensor Upper)>
{
    /// <inheritdoc/>
    public static LinearBoundPair Normalize(Normalize layer, long[] input, LinearBoundPair bound) => NormalizeDeepPoly.BackwardPair(layer, input, bound);

    /// <inheritdoc/>
    public static LinearBoundPair Flatten(long[] input, LinearBoundPair bound) => FlattenDeepPoly.BackwardPair(input, bound);

    /// <inheritdoc/>
    public static LinearBoundPair Dense(Dense layer, LinearBoundPair bound) => DenseDeepPoly.BackwardPair(layer, bound);

    /// <inheritdoc/>
    public static LinearBoundPair Conv2d(Conv2d layer, long[] input, LinearBoundPair bound) => Conv2dDeepPoly.BackwardPair(layer, input, bound);

    /// <inheritdoc/>
    public static LinearBoundPair Relu(ReluEnvelope envelope, LinearBoundPair bound, bool compact, Unit side) =>
        ReluDeepPoly.BackwardPair(envelope, bound, compact: compact);

    /// <inheritdoc/>
    public static (Tensor Lower, Tensor Upper) Concretize(LinearBoundPair bound, Tensor lo, Tensor hi, Unit side) => InputDeepPoly.ConcretizePair(bound, lo, hi);
}

/// <summary>The rounding margins' table (<see cref="RoundingMargin"/>): magnitudes forward, every ReLU appending its
/// margin to the context list (no bounds recorded).</summary>
public readonly struct MarginRelaxations : IForwardRelaxations<Magnitude, List<Tensor>>
{
    /// <inheritdoc/>
    public static Magnitude Normalize(Normalize layer, Magnitude x) => RoundingMargin.Normalize(layer, x);

    /// <inheritdoc/>
    public static Magnitude Flatten(Magnitude x) => RoundingMargin.Flatten(x);

    /// <inheritdoc/>
    public static Magnitude Dense(Dense layer, Magnitude x) => RoundingMargin.Dense(layer, x);

    /// <inheritdoc/>
    public static Magnitude SpecDense(Dense layer, Spec spec, Magnitude x) => RoundingMargin.Dense(SpecLayer.Merge(layer, spec), x);

    /// <inheritdoc/>
    public static Magnitude Conv2d(Conv2d layer, Magnitude x) => RoundingMargin.Conv2d(layer, x);

    /// <inheritdoc/>
    public static ReluStep<Magnitude> Relu(Magnitude x, List<Tensor> context, int ordinal) => new(RoundingMargin.Relu(x, context), null);
}
