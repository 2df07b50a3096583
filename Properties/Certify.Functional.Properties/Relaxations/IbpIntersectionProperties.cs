using Certify.Functional.Bounds;
using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Properties.Laws;
using Certify.Functional.Relaxations.Ibp;
using Certify.Functional.Verification;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification.Triangle;
using FsCheck.Xunit;
using Xunit;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Relaxations;

/// <summary>
/// IBP-intersected intermediate bounds (<c>crown</c>, <c>alpha-crown:intersect=1</c>): every ReLU input's bounds lie inside
/// IBP's (by induction: IBP from the intersected boxes is inside IBP from IBP's own, and the intersection inside that), the
/// first ReLU's inside CROWN's own, and switching the intersection off gives the paper's <c>deeppoly</c> exactly. Soundness
/// of the same domains is checked by the soundness laws (<see cref="BackSubstitutionSoundnessProperties"/>,
/// OptimizedSlopeSoundnessProperties, RowSoundnessProperties). Random networks of <see cref="NetworkArbitraries"/>; pinned seed.
/// </summary>
[Collection(LawCollection.Name)]
[Properties(Arbitrary = [typeof(NetworkArbitraries)], MaxTest = 60, QuietOnSuccess = true, Replay = "(3141592653,2718281829)")]
public sealed class IbpIntersectionProperties : TorchTest
{
    [Property]
    public void Intersected_intermediate_bounds_lie_inside_ibp_and_crown(NetworkCase c)
    {
        using var scope = NewDisposeScope();
        using var net = c.CreateNetwork();
        using var _ = no_grad();
        var (x, y) = (c.Inputs(), c.Labels());
        SpecBounds Of(string d) => Verifier.Bounds(net, x, y, c.Eps, SoundnessLaw.Parse(d), SpecKind.Diffs);
        var (box, deepPoly) = (Of("box"), Of("deeppoly"));
        foreach (var name in new[] { "crown", "crown:0-c", "alpha-crown:steps=2,intersect=1", "alpha-crown:steps=1,intermediate=1,intersect=1" })
        {
            var pre = Of(name).PreActivation;
            Assert.Equal(box.PreActivation.Count, pre.Count);
            for (int i = 0; i < pre.Count; i++)
                Inside($"{name} inside box at ReLU input {i} on {c}", pre[i], box.PreActivation[i]);
            if (pre.Count > 0 && !name.Contains(":0-c", StringComparison.Ordinal))
                Inside($"{name} inside deeppoly at the first ReLU input on {c}", pre[0], deepPoly.PreActivation[0]);
        }
    }

    [Property]
    public void Without_the_intersection_crown_is_deeppoly(NetworkCase c)
    {
        using var scope = NewDisposeScope();
        using var net = c.CreateNetwork();
        using var _ = no_grad();
        var (x, y) = (c.Inputs(), c.Labels());
        foreach (var kind in new[] { SpecKind.Diffs, SpecKind.Eye })
        {
            var off = Verifier.Bounds(net, x, y, c.Eps, SoundnessLaw.Parse("crown:intersect=0"), kind);
            var deepPoly = Verifier.Bounds(net, x, y, c.Eps, Domain.DeepPoly, kind);
            Assert.True(Same(off.DiffLower, deepPoly.DiffLower), $"crown:intersect=0 differs from deeppoly ({kind}) on {c}");
            for (int i = 0; i < off.PreActivation.Count; i++)
                Assert.True(Same(off.PreActivation[i].Lower, deepPoly.PreActivation[i].Lower)
                    && Same(off.PreActivation[i].Upper, deepPoly.PreActivation[i].Upper), $"ReLU input {i} differs ({kind}) on {c}");
        }
    }

    static void Inside(string what, Box inner, Box outer) =>
        Tolerance.Inside(what, inner.Lower.flatten(1), inner.Upper.flatten(1), outer.Lower.flatten(1), outer.Upper.flatten(1));

    [Theory]
    [InlineData("crown", true, false)]
    [InlineData("CROWN:intersect=0", false, false)]
    [InlineData("crown:1,intersect=0", false, true)]
    [InlineData("crown:intersect=1,upper-tria", true, false)]
    [InlineData("deeppoly", false, false)]
    [InlineData("deeppoly:intersect=1", true, false)]
    public void Parses_the_intersection_option(string text, bool intersect, bool variantOne)
    {
        var d = Assert.IsType<DeepPolyDomain>(SoundnessLaw.Parse(text));
        Assert.Equal(intersect, d.Options.IntersectIbp);
        Assert.Equal(variantOne, d.Options.Variant == Certify.Functional.Bounds.CrownVariant.One);
    }

    [Fact]
    public void Verification_names_intersect_by_default()
    {
        Assert.True(Assert.IsType<AlphaCrownDomain>(SoundnessLaw.Parse("alpha-crown")).Options.IntersectIbp);
        Assert.True(Assert.IsType<AlphaCrownDomain>(SoundnessLaw.Parse("alpha-crown:steps=5")).Options.IntersectIbp);
        Assert.False(Assert.IsType<AlphaCrownDomain>(SoundnessLaw.Parse("alpha-crown:intersect=0")).Options.IntersectIbp);
        Assert.True(Domain.Crown.Options.IntersectIbp);
        Assert.False(Domain.DeepPoly.Options.IntersectIbp);
        Assert.False(Assert.IsType<DeepPolyDomain>(SoundnessLaw.Parse("crown-ibp")).Options.IntersectIbp);
    }

    [Theory]
    [InlineData("crown:intersect=2")]
    [InlineData("crown-ibp:intersect=1")]
    [InlineData("crown:1,0")]
    [InlineData("crown:1,gamma=2")]
    [InlineData("alpha-crown:intersect=0.5")]
    public void Rejects_bad_intersection_options(string text) => Assert.True(Domain.Parse(text).IsFail, text);

    [Fact]
    public void Crossed_bounds_are_widened_not_collapsed()
    {
        using var scope = NewDisposeScope();
        // Two boxes whose sides cross by noise at the second neuron: [0, 1] ∩ [2, 3] is reported as [1, 2], the span.
        var a = Box.FromBounds(tensor(new[] { -1f, 0f }).unsqueeze(0), tensor(new[] { 1f, 1f }).unsqueeze(0));
        var b = Box.FromBounds(tensor(new[] { 0f, 2f }).unsqueeze(0), tensor(new[] { 2f, 3f }).unsqueeze(0));
        var both = BoxIntersection.Of(a, b);
        Assert.Equal(new[] { 0f, 1f }, both.Lower.data<float>().ToArray());
        Assert.Equal(new[] { 1f, 2f }, both.Upper.data<float>().ToArray());
        Assert.Equal((1.0, 2.0), TriangleLp.Ordered(2.0, 1.0));
        Assert.Equal((-1.0, 3.0), TriangleLp.Ordered(-1.0, 3.0));
    }
}
