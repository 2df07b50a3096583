using Certify.Functional.Bounds;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.DeepPoly;

/// <summary>What a back-substitution domain proves about a batch.</summary>
/// <param name="PreActivation">Bounds at every ReLU input, in layer order.</param>
/// <param name="Lower">Lower bounds of the specification, [B, K].</param>
/// <param name="Upper">Upper bounds [B, K], or null when only the lower side was computed (diffs).</param>
/// <param name="Envelopes">The ReLU envelopes used, in layer order (for inspection and the continuity tools).</param>
public sealed record BackSubstitution(IReadOnlyList<Box> PreActivation, Tensor Lower, Tensor? Upper, IReadOnlyList<ReluEnvelope> Envelopes);
