using Certify.Functional.Bounds;
using Certify.Functional.Properties.Laws;
using Certify.Functional.Analysis;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Analysis;

/// <summary><see cref="SwitchingSurfaces"/> counts and <see cref="ContinuityTheory"/>'s table against properties.md §7.2.</summary>
[Collection(LawCollection.Name)]
public sealed class SwitchingAndTheoryTests : TorchTest
{
    [Fact]
    public void Counts_neurons_near_each_surface()
    {
        using var scope = NewDisposeScope();
        var first = Box.FromBounds(tensor(new[] { -1f, 0.001f, -0.5f, -2f }).view(1, 4), tensor(new[] { 0.995f, 1f, -0.0005f, 3f }).view(1, 4));
        var second = Box.FromBounds(tensor(new[] { -0.003f, 0.5f }).view(2, 1), tensor(new[] { 0.004f, 0.7f }).view(2, 1));
        var perLayer = SwitchingSurfaces.CountPerLayer([first, second], 0.01);
        Assert.Equal(new SwitchCounts(4, 2, 1, 1, 1), perLayer[0]);
        Assert.Equal(new SwitchCounts(2, 1, 1, 1, 1), perLayer[1]);
        Assert.Equal(new SwitchCounts(6, 3, 2, 2, 2), SwitchingSurfaces.Count([first, second], 0.01));
        Assert.Throws<ArgumentException>(() => SwitchingSurfaces.Count([first], -1));
    }

    [Fact]
    public void Measure_counts_the_one_neuron_example()
    {
        using var net = TinyNetworks.OneNeuron(2, -1.0005, 1.5, 0);                   // a = −0.0005, r = 0.5: crossing, near |l| = u
        var counts = Assert.Single(SwitchingSurfaces.Measure(net, TinyNetworks.Input(), TinyNetworks.Label(), TinyNetworks.Eps, Domain.Box, 0.01));
        Assert.Equal(new SwitchCounts(1, 1, 0, 0, 1), counts);
    }

    [Theory]
    // domain, jump at l = 0, at u = 0, at |l| = u, continuous (properties.md §7.2's table).
    [InlineData("box", false, false, false, true)]
    [InlineData("zono", false, false, false, true)]
    [InlineData("hzono", false, false, false, true)]
    [InlineData("zono-ibp", false, false, false, true)]
    [InlineData("hbox", true, false, false, false)]
    [InlineData("zbox", true, false, false, false)]
    [InlineData("hdiag", false, true, false, false)]
    [InlineData("zdiag", false, true, false, false)]
    [InlineData("hdiag-c", false, false, false, true)]
    [InlineData("zdiag-c", false, false, false, true)]
    [InlineData("hswitch", false, false, true, false)]
    [InlineData("zswitch", false, false, true, false)]
    [InlineData("zono:gamma=1", false, false, false, true)]
    [InlineData("deeppoly", false, false, true, false)]
    [InlineData("crown", false, false, true, false)]
    [InlineData("crown-ibp", false, false, true, false)]
    [InlineData("deeppoly:0", true, false, false, false)]
    [InlineData("deeppoly:0-c", false, false, false, true)]
    [InlineData("deeppoly:1", false, true, false, false)]
    [InlineData("deeppoly:1-c", false, false, false, true)]
    [InlineData("deeppoly:lower-tria", true, true, false, false)]
    [InlineData("deeppoly:upper-tria", true, true, false, false)]
    [InlineData("deeppoly:lower-tria-c", false, false, false, true)]
    [InlineData("deeppoly:upper-tria-c", false, false, false, true)]
    [InlineData("deeppoly:gamma=1", false, false, false, true)]
    [InlineData("crown-ibp:gamma=10", false, false, false, true)]
    [InlineData("box:widen=0.1", false, false, false, true)]
    [InlineData("box:round=0.5,per-unit=10", false, false, false, false)]
    public void Table_rows_follow_spec_7_2(string domain, bool l0, bool u0, bool balanced, bool continuous)
    {
        var row = ContinuityTheory.For(domain).ThrowIfFail();
        Assert.Equal((domain, l0, u0, balanced, continuous), (row.Domain, row.JumpAtLowerZero, row.JumpAtUpperZero, row.JumpAtBalanced, row.Continuous));
    }

    [Fact]
    public void Every_table_domain_parses_and_unknown_names_fail()
    {
        Assert.Equal(ContinuityTheory.TableDomains.Count, ContinuityTheory.Table.Count);
        Assert.True(ContinuityTheory.For("nope").IsFail);
    }
}
