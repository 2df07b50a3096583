using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Properties.Laws;
using FsCheck.Xunit;

namespace Certify.Functional.Properties.Relaxations;

/// <summary>Counterexamples found by <c>scripts/explore-soundness.sh</c>, pinned. 2026-12-02: CROWN at ε = 0 on a
/// 1×4×4 conv net (scale 4): per-logit bounds l_y = 5.4354024, u_j = 5.267469, each within float32 rounding of the
/// logits (5.4353976, 5.2674766), so l_y − u_j = 0.1679335 exceeds the true z_y − z_j = 0.1679210 by 1.2e-5 — the
/// law (tol 1e-5·(1 + |z_y − z_j|) = 1.2e-5) rightly refuses it. Not fixed yet: the per-logit CROWN bounds carry no
/// outward rounding for their float32 error (≈ 1e-6 relative to the logits); the product's certificates are safe only
/// because every one is re-checked in float64 (FinalCheck). Fails identically on 8044f01. Skipped, with this reason,
/// until the eye-spec bounds are rounded outward; the law and its tolerance stay as they are.</summary>
[Collection(LawCollection.Name)]
public sealed class ExploredSeedRegression : TorchTest
{
    [Property(Arbitrary = [typeof(NetworkArbitraries)], MaxTest = 1, Replay = "(17037679441638977844,14816321898485719475,49)",
        Skip = "known float32 soundness gap of CROWN's per-logit (eye) bounds at ε = 0, not fixed yet (issue note 2026-12-02); certificates are guarded by the float64 FinalCheck")]
    public void Crown_per_logit_difference_at_eps_zero(NetworkCase c) => SoundnessLaw.Holds("deeppoly", c);
}
