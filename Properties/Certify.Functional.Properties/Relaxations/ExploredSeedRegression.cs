using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Properties.Laws;
using FsCheck.Xunit;

namespace Certify.Functional.Properties.Relaxations;

/// <summary>Counterexamples found by <c>scripts/explore-soundness.sh</c>, pinned. 2026-12-02: CROWN at ε = 0 on a
/// 1×4×4 conv net (scale 4): per-logit bounds l_y = 5.4354024, u_j = 5.267469, each within float32 rounding of the
/// logits (5.4353976, 5.2674766), so l_y − u_j = 0.1679335 exceeded the true z_y − z_j = 0.1679210 by 1.2e-5 — the
/// law (tol 1e-5·(1 + |z_y − z_j|) = 1.2e-5) rightly refused it: each bound errs relative to its own logit's terms, and
/// the difference cancels. Fixed in the product, not the law: the per-logit differences are rounded outward by the
/// a-priori margin γ_N·2^(k+1)·(M_y + M_j) in the bounds' precision (<c>DifferenceMargin</c>, the formula FinalCheck
/// applies in float64); the per-logit bounds themselves stay as computed (EyeDifferenceTests).</summary>
[Collection(LawCollection.Name)]
public sealed class ExploredSeedRegression : TorchTest
{
    [Property(Arbitrary = [typeof(NetworkArbitraries)], MaxTest = 1, Replay = "(17037679441638977844,14816321898485719475,49)")]
    public void Crown_per_logit_difference_at_eps_zero(NetworkCase c) => SoundnessLaw.Holds("deeppoly", c);
}
