using Certify.Functional.Bounds;
using static TorchSharp.torch;

namespace Certify.Functional.Verification;

/// <summary>What a domain proves about a batch.</summary>
/// <param name="PreActivation">Bounds at the input of every ReLU, in layer order ([B, …] each).</param>
/// <param name="DiffLower">Lower bounds d_j ≤ z_y − z_j for j ≠ y in increasing j, [B, K−1]. With per-logit
/// bounds they are formed from the output element with the domain's own transformer (exact for zonotopes).</param>
/// <param name="Logits">Per-logit bounds [B, K] (per-logit specification only).</param>
/// <param name="Kind">The specification used.</param>
/// <param name="Others">The other classes j ≠ y in the order of <paramref name="DiffLower"/> (int64 [B, K−1]), when known.</param>
public sealed record SpecBounds(IReadOnlyList<Box> PreActivation, Tensor DiffLower, Box? Logits, SpecKind Kind, Tensor? Others = null)
{
    /// <summary>Certified ⇔ every d_j &gt; 0 (strict, as the reference's evaluation). Bool [B].</summary>
    public Tensor Certified => DiffLower.gt(0).all(1);
}
