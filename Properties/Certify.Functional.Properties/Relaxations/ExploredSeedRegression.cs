using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Properties.Laws;
using FsCheck.Xunit;

namespace Certify.Functional.Properties.Relaxations;

/// <summary>Counterexamples found by <c>scripts/explore-soundness.sh</c>, pinned. 2026-12-02: CROWN at ε = 0 on a
/// 1×4×4 conv net (scale 4): per-logit bounds l_y = 5.4354024, u_j = 5.267469, each within float32 rounding of the
/// logits (5.4353976, 5.2674766), so l_y − u_j = 0.1679335 exceeds the true z_y − z_j = 0.1679210 by 1.2e-5 — the
/// law judged that difference with the tolerance of 0.168 instead of the terms' 5.4 (see <see cref="SoundnessLaw"/>);
/// the per-logit bounds themselves and every other check hold. Fails on 8044f01 and before the law's fix.</summary>
[Collection(LawCollection.Name)]
public sealed class ExploredSeedRegression : TorchTest
{
    [Property(Arbitrary = [typeof(NetworkArbitraries)], MaxTest = 1, Replay = "(17037679441638977844,14816321898485719475,49)")]
    public void Crown_per_logit_difference_at_eps_zero(NetworkCase c) => SoundnessLaw.Holds("deeppoly", c);
}
