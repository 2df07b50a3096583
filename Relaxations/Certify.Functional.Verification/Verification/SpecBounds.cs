using Certify.Functional.Bounds;
using static TorchSharp.torch;

namespace Certify.Functional.Verification;

/// <summary>What a domain proves about a batch.</summary>
/// <param name="PreActivation">Bounds at the input of every ReLU, in layer order ([B, …] each).</param>
/// <param name="DiffLower">Lower bounds d_j ≤ z_y − z_j for j ≠ y in increasing j, [B, K−1]. With per-logit
/// bounds they are formed from the output element with the domain's own transformer (exact for zonotopes) and then
/// rounded outward by <see cref="DifferenceMargin"/>: l_y and u_j each err relative to their own logit's terms, so
/// their difference can err far more than its own size allows (see <see cref="Unrounded"/>).</param>
/// <param name="Logits">Per-logit bounds [B, K] (per-logit specification only), as computed (not rounded outward).</param>
/// <param name="Kind">The specification used.</param>
/// <param name="Others">The other classes j ≠ y in the order of <paramref name="DiffLower"/> (int64 [B, K−1]), when known.</param>
/// <param name="Unrounded">When <paramref name="DiffLower"/> was rounded outward (per-logit specification, every domain
/// but the Triangle LP, which is solved in float64): the differences as computed, before the margin — within float
/// rounding of a lower bound, not one. The certified-training loss and the float32 candidate filter of
/// <see cref="FinalCheck"/> use these (<see cref="DiffLowerAsComputed"/>); null otherwise.</param>
public sealed record SpecBounds(IReadOnlyList<Box> PreActivation, Tensor DiffLower, Box? Logits, SpecKind Kind, Tensor? Others = null,
    Tensor? Unrounded = null)
{
    /// <summary>Certified ⇔ every d_j &gt; 0 (strict, as the reference's evaluation). Bool [B].</summary>
    public Tensor Certified => DiffLower.gt(0).all(1);

    /// <summary>The lower bounds as the domain computed them, without an outward rounding margin: <see cref="Unrounded"/>
    /// when present, else <see cref="DiffLower"/>. What training optimises (the reference's values) and what the float32
    /// candidate filter of <see cref="FinalCheck"/> tests; the float64 check is the proof.</summary>
    public Tensor DiffLowerAsComputed => Unrounded ?? DiffLower;
}
