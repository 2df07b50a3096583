using Certify.Functional.Layers;
using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Properties.Laws;
using Certify.Functional.Relaxations.DeepPoly;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Bounds;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Relaxations;

/// <summary>
/// Pinned cases where the "-C" CROWN variants were unsound by float32 rounding (found by the soundness law with other
/// FsCheck seeds): their stable neurons' lines carried the computed bound l or u as a constant, and at ε = 0 on
/// scale-4 networks the rounding of that constant, multiplied by the later weights, put a bound above a reachable value
/// by more than 1e-5·(1 + |v|) (e.g. z_y − z_j = 0.435504 under a lower bound of 0.435526). RoundingMargin rounds those
/// constants outward; these cases fail without it.
/// </summary>
[Collection(LawCollection.Name)]
public sealed class RoundingRegressionTests : TorchTest
{
    static NetworkCase Case(Shape input, LayerDeclaration[] layers, int seed, double eps, params int[] labels) =>
        new(new Architecture(input, layers), seed, 4, eps, labels.Length, labels);

    public static TheoryData<string, NetworkCase> Cases => new()
    {
        { "deeppoly:lower-tria-c", Case(Shape.Of(1, 4, 4), [new NormalizeDeclaration([0.1307], [0.5]), new Conv2dDeclaration(3, 2, 1, 1),
            new ReluDeclaration(), new FlattenDeclaration(), new DenseDeclaration(1), new ReluDeclaration(), new DenseDeclaration(9)], 1416860092, 0, 7, 3) },
        { "deeppoly:lower-tria-c", Case(Shape.Of(1, 6, 6), [new NormalizeDeclaration([0.5], [0.2]), new Conv2dDeclaration(4, 1, 1, 1),
            new ReluDeclaration(), new FlattenDeclaration(), new DenseDeclaration(1), new ReluDeclaration(), new DenseDeclaration(2)], 1076444828, 0, 0, 0, 1, 1) },
        { "deeppoly:upper-tria-c", Case(Shape.Of(3), [new NormalizeDeclaration([0.5], [0.2]), new DenseDeclaration(9), new ReluDeclaration(),
            new DenseDeclaration(1), new ReluDeclaration(), new DenseDeclaration(4), new ReluDeclaration(), new DenseDeclaration(7)], 1720663671, 0.013,
            6, 3, 1, 0, 4, 5, 5, 2, 4, 2, 6) },
    };

    [Theory, MemberData(nameof(Cases), DisableDiscoveryEnumeration = true)]     // NetworkCase is not serializable: one test case, no warning
    public void SoundAfterOutwardRounding(string domain, NetworkCase c) => SoundnessLaw.Holds(domain, c);

    [Fact]
    public void MarginsOnlyForConstantLines()
    {
        var c = Cases.First()[1] as NetworkCase ?? throw new InvalidOperationException();
        using var net = c.CreateNetwork();
        var x = c.Inputs();
        Assert.Null(RoundingMargin.For(LayerWalk.For(net), new CrownOptions(CrownVariant.Adaptive), x, x));
        Assert.Null(RoundingMargin.For(LayerWalk.For(net), new CrownOptions(CrownVariant.OneC), x, x));
        var margins = RoundingMargin.For(LayerWalk.For(net), new CrownOptions(CrownVariant.LowerTriaC), x, x)!;
        Assert.Equal(2, margins.Count);
        Assert.Equal([c.Batch, 3, 5, 5], margins[0].shape);
        Assert.Equal([c.Batch, 1], margins[1].shape);
        foreach (var m in margins)
        {
            Assert.True(m.gt(0).all().item<bool>(), "every margin is positive (each neuron's magnitude includes |b| or |x|)");
            Assert.True(m.lt(1e-3).all().item<bool>(), "a margin is a rounding error, not a widening");
        }
        // In float64 the same chain rounds 2⁻²⁹ times less.
        using var net64 = c.CreateNetwork();
        net64.to(ScalarType.Float64);
        var x64 = x.to(float64);
        var m64 = RoundingMargin.For(LayerWalk.For(net64), new CrownOptions(CrownVariant.LowerTriaC), x64, x64)!;
        var ratio = (m64[1] / margins[1].to(float64)).max().item<double>();
        Assert.InRange(ratio, Math.Pow(2, -29) * 0.999, Math.Pow(2, -29) * 1.001);
    }
}
