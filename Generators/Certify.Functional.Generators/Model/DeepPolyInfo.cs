using System;
using System.Linq;

namespace Certify.Functional.Generators.Model;

/// <summary>One row of the back-substitution table: the call that moves a linear bound <c>$b</c> from a layer's output
/// to its input. Placeholders: <c>$layer</c> (the layer value), <c>$shape</c> (the layer's input shape, a
/// compile-time <c>long[]</c>), <c>$envelope</c> (the ReLU's envelope local), <c>$lower</c> and <c>$compact</c>
/// (<c>true</c>/<c>false</c>).
/// <c>PairCall</c> moves both sides at once (a <c>LinearBoundPair</c>, the pre-activation chains). <c>MarginCall</c> is the
/// layer's step of the "-C" constants' rounding margins (<c>RoundingMargin</c>; <c>$m</c> the previous magnitude).</summary>
internal sealed record BackwardInfo(LayerKind Kind, string Module, string Call, string PairCall, string MarginCall);

/// <summary>
/// The CROWN / DeepPoly method (<c>{Namespace}.{Type}.DeepPoly.g.cs</c>), mirroring Relaxations'
/// <c>IDeepPolyPropagator</c> and <c>InterpretedBackSubstitution</c> (tests assert they agree). The emitter only fills
/// these templates; every computation is a call into <c>Certify.Functional.Relaxations.DeepPoly</c>.
/// </summary>
internal static class DeepPolyInfo
{
    const string Bounds = "global::Certify.Functional.Bounds";
    const string DeepPoly = "global::Certify.Functional.Relaxations.DeepPoly";
    const string Shared = "global::Certify.Functional.Relaxations.Shared";
    const string Tensor = "global::TorchSharp.torch.Tensor";
    const string List = "global::System.Collections.Generic.IReadOnlyList";

    /// <summary>The hint part and the file's name for the domain.</summary>
    public const string Name = "DeepPoly";
    public const string Interface = "global::Certify.Functional.Relaxations.Domains.IDeepPolyPropagator";
    public const string Result = DeepPoly + ".BackSubstitution";
    public const string Signature = "PropagateDeepPoly(" + Tensor + " lo, " + Tensor + " hi, " + Bounds + ".CrownOptions options, " + Bounds + ".Spec spec, "
        + List + "<" + Bounds + ".Box>? intermediate, " + List + "<" + Tensor + "?>? lowerSlopes)";

    public const string Box = Bounds + ".Box";
    public const string Envelope = DeepPoly + ".ReluEnvelope";
    public const string Identity = Bounds + ".LinearBound.Identity";
    public const string DiffSpec = Bounds + ".DiffSpec";
    public const string TensorType = Tensor;

    /// <summary>The bound of a chain over the input region (<c>$b</c>, <c>$lower</c>).</summary>
    public const string Concretize = DeepPoly + ".InputDeepPoly.Concretize($b, lo, hi, lower: $lower)";
    /// <summary>Both sides of a pre-activation chain over the input region (<c>$b</c>): a (Lower, Upper) tuple.</summary>
    public const string ConcretizePair = DeepPoly + ".InputDeepPoly.ConcretizePair($b, lo, hi)";
    /// <summary>The identity on both sides.</summary>
    public const string PairIdentity = Bounds + ".LinearBoundPair.Identity";
    /// <summary>Pre-activation bounds from the two concretized sides (<c>$l</c>, <c>$u</c>), shaped [B, …] (<c>$dims</c>).</summary>
    public const string PreActivation = Box + ".FromBounds($l.view(new long[] { lo.shape[0], $dims }), $u.view(new long[] { lo.shape[0], $dims }))";
    /// <summary>Whether the variant needs the outward-rounding margins of the "-C" envelopes' constants.</summary>
    public const string MarginsNeeded = DeepPoly + ".RoundingMargin.Needed(options)";
    /// <summary>The input's magnitude, the start of the margins' chain.</summary>
    public const string MarginInput = DeepPoly + ".RoundingMargin.Input(lo, hi)";
    /// <summary>The list the ReLU steps append their margins to.</summary>
    public const string MarginList = "global::System.Collections.Generic.List<" + Tensor + ">";
    /// <summary>The ReLU envelope of bounds <c>$pre</c> (ReLU <c>$k</c>).</summary>
    public const string ComputeEnvelope = DeepPoly + ".CrownEnvelopes.Compute(options, $pre, margin: margins?[$k])";
    /// <summary>The envelope of the final back-substitution: <c>$envelope</c> unless a lower slope is given for ReLU <c>$k</c>.</summary>
    public const string FinalEnvelope = "lowerSlopes?[$k] is { } slope$i ? " + DeepPoly + ".CrownEnvelopes.Compute(options, $pre, slope$i, margins?[$k]) : $envelope";
    /// <summary>The specification merged into a last Dense layer.</summary>
    public const string MergedStart = DeepPoly + ".DenseDeepPoly.Backward(" + Shared + ".SpecLayer.Merge($layer, spec), " + Identity + ")";
    /// <summary>The specification as its own layer (networks that do not end with Dense; the identity for per-logit bounds).</summary>
    public const string SpecStart = Shared + ".SpecLayer.AsLayer(spec, this) is { } specLayer ? " + DeepPoly + ".DenseDeepPoly.Backward(specLayer, " + Identity + ") : " + Identity;

    /// <summary>Back-substitution through each layer kind (<c>LayerKindsTests</c> asserts every module exists).</summary>
    public static readonly BackwardInfo[] Backward =
    {
        new(LayerKind.Normalize, "NormalizeDeepPoly", DeepPoly + ".NormalizeDeepPoly.Backward($layer, $shape, $b)",
            DeepPoly + ".NormalizeDeepPoly.BackwardPair($layer, $shape, $b)", DeepPoly + ".RoundingMargin.Normalize($layer, $m)"),
        new(LayerKind.Flatten, "FlattenDeepPoly", DeepPoly + ".FlattenDeepPoly.Backward($shape, $b)",
            DeepPoly + ".FlattenDeepPoly.BackwardPair($shape, $b)", DeepPoly + ".RoundingMargin.Flatten($m)"),
        new(LayerKind.Dense, "DenseDeepPoly", DeepPoly + ".DenseDeepPoly.Backward($layer, $b)",
            DeepPoly + ".DenseDeepPoly.BackwardPair($layer, $b)", DeepPoly + ".RoundingMargin.Dense($layer, $m)"),
        new(LayerKind.Conv2d, "Conv2dDeepPoly", DeepPoly + ".Conv2dDeepPoly.Backward($layer, $shape, $b)",
            DeepPoly + ".Conv2dDeepPoly.BackwardPair($layer, $shape, $b)", DeepPoly + ".RoundingMargin.Conv2d($layer, $m)"),
        new(LayerKind.ReLU, "ReluDeepPoly", DeepPoly + ".ReluDeepPoly.Backward($envelope, $b, lower: $lower, compact: $compact)",
            DeepPoly + ".ReluDeepPoly.BackwardPair($envelope, $b, compact: $compact)", DeepPoly + ".RoundingMargin.Relu($m, margins)"),
    };

    public static BackwardInfo Of(LayerKind kind) =>
        Backward.FirstOrDefault(b => b.Kind == kind) ?? throw new ArgumentOutOfRangeException(nameof(kind), kind, "No back-substitution row.");
}
