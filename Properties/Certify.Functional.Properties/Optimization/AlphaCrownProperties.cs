using Certify.Functional.Bounds;
using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Properties.Laws;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification.Optimization;
using Certify.Functional.Relaxations.Shared;
using Certify.Functional.Verification;
using FsCheck.Xunit;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Optimization;

/// <summary>α-CROWN never looser than CROWN (its starting point) with the same intermediate bounds (deeppoly's, or crown's
/// IBP-intersected ones); 0 steps is CROWN; the
/// optimised slopes stay in [0, 1]; the recomputed (differentiable) bound equals the tracked best; iclr2021's slopes stay
/// in [0, 1]. Random networks of <see cref="NetworkArbitraries"/>; pinned seed.</summary>
[Collection(LawCollection.Name)]
[Properties(Arbitrary = [typeof(NetworkArbitraries)], MaxTest = 40, QuietOnSuccess = true, Replay = "(2236067977,1732050807)")]
public sealed class AlphaCrownProperties : TorchTest
{
    [Property]
    public void At_least_crown_and_zero_steps_is_crown(NetworkCase c)
    {
        using var scope = NewDisposeScope();
        using var net = c.CreateNetwork();
        using var _ = no_grad();
        var (x, y) = (c.Inputs(), c.Labels());
        // Without the intersection against deeppoly, with it (the default) against crown: the same intermediate bounds.
        foreach (var (intersect, domain) in new[] { ("0", Domain.DeepPoly), ("1", Domain.Crown) })
        foreach (var kind in new[] { SpecKind.Diffs, SpecKind.Eye })
        {
            var crown = Verifier.Bounds(net, x, y, c.Eps, domain, kind);
            var zero = Verifier.Bounds(net, x, y, c.Eps, SoundnessLaw.Parse($"alpha-crown:steps=0,intersect={intersect}"), kind);
            var alpha = Verifier.Bounds(net, x, y, c.Eps, SoundnessLaw.Parse($"alpha-crown:steps=10,intersect={intersect}"), kind);
            Tolerance.Equal($"{kind}, {domain.Name}: 0 steps vs CROWN", zero.DiffLower, crown.DiffLower);
            Tolerance.Inside($"{kind}, {domain.Name}: α-CROWN within CROWN", alpha.DiffLower, null, crown.DiffLower, null);
            if (kind == SpecKind.Eye)
                Tolerance.Inside($"per-logit α-CROWN within CROWN ({domain.Name})", alpha.Logits!.Lower, alpha.Logits.Upper, crown.Logits!.Lower, crown.Logits.Upper);
        }
    }

    [Property]
    public void Slopes_in_unit_interval_and_best_at_least_initial(NetworkCase c)
    {
        using var scope = NewDisposeScope();
        using var net = c.CreateNetwork();
        var (x, y) = (c.Inputs(), c.Labels());
        var (lo, hi) = InputRegion.Corners(x, c.Eps);
        var spec = Spec.Diffs(y, c.Arch.Classes);
        foreach (var options in new[] { new AlphaCrownOptions(Steps: 5, LearningRate: 0.5), new AlphaCrownOptions(Steps: 3, Signed: true, Intermediate: true) })
        {
            var withGrad = AlphaCrown.Propagate(net, lo, hi, options, spec);             // grad enabled: recomputed bound
            AlphaCrownResult noGrad;
            using (no_grad()) noGrad = AlphaCrown.Propagate(net, lo, hi, options, spec); // tracked best values
            foreach (var slope in withGrad.LowerSlopes)
            {
                Assert.False(slope.requires_grad, "optimised slopes are detached");
                Assert.True(slope.ge(0).all().item<bool>() && slope.le(1).all().item<bool>(), $"{options}: slope outside [0, 1] on {c}");
            }
            Tolerance.Inside($"{options}: best vs initial", withGrad.Lower.detach(), null, withGrad.InitialLower, null);
            Tolerance.Equal($"{options}: recomputed vs tracked best", withGrad.Lower.detach(), noGrad.Lower);
        }
    }

    [Property]
    public void Iclr2021_slopes_in_unit_interval(NetworkCase c)
    {
        using var scope = NewDisposeScope();
        using var net = c.CreateNetwork();
        var (x, y) = (c.Inputs(), c.Labels());
        var (lo, hi) = InputRegion.Corners(x, c.Eps);
        var spec = Spec.Diffs(y, c.Arch.Classes);
        var ibp = Functional.Relaxations.Domains.Propagators.Interpreted(net).Box(InputRegion.Box(x, c.Eps), BoxOptions.Plain, spec).PreActivation;
        foreach (var slope in Iclr2021.LearnSlopes(net, lo, hi, spec, ibp, seed: (ulong)c.Seed))
        {
            Assert.False(slope!.requires_grad, "learned slopes are detached");
            Assert.True(slope.ge(0).all().item<bool>() && slope.le(1).all().item<bool>(), $"slope outside [0, 1] on {c}");
        }
    }
}
