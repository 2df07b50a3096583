using System.Globalization;
using Certify.Functional.Bounds;
using Certify.Functional.Data;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Properties.Laws;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Samples;
using Certify.Functional.Training;
using Certify.Functional.Verification;
using Certify.Functional.Verification.Domains;
using FsCheck.Xunit;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Relaxations;

/// <summary>
/// The per-logit specification's differences d_j = l_y − u_j (<see cref="SpecKind.Eye"/>) are rounded outward by
/// <see cref="DifferenceMargin"/> in the bounds' precision: l_y and u_j each err relative to their own logit's terms, and
/// the difference can cancel (<see cref="ExploredSeedRegression"/>). Training and the float32 candidate filter keep the
/// differences as computed (<see cref="SpecBounds.Unrounded"/>); the float64 check is the proof.
/// </summary>
[Collection(LawCollection.Name)]
public sealed class EyeDifferenceTests(ITestOutputHelper log) : TorchTest
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    static Domain D(string name) => Domain.Parse(name).Match(d => d, e => throw new Xunit.Sdk.XunitException(e.Message));

    /// <summary>The explored counterexample of <see cref="ExploredSeedRegression"/> (its Replay seed draws this case: CROWN
    /// at ε = 0, scale 4), built directly: not a law for other cases, so a fact, not a property the exploration would
    /// re-run with fresh seeds.</summary>
    static NetworkCase Pinned() => new(
        new Architecture(Shape.Of(1, 4, 4), [new NormalizeDeclaration([0.25], [0.2]), new Conv2dDeclaration(3, 3, 1, 0), new ReluDeclaration(),
            new FlattenDeclaration(), new DenseDeclaration(1), new ReluDeclaration(), new DenseDeclaration(5)]),
        Seed: 1502939822, Scale: 4, Eps: 0, Batch: 23, LabelValues: [3, 3, 2, 4, 3, 0, 2, 2, 4, 0, 3, 1, 0, 3, 0, 1, 4, 1, 3, 0, 2, 1, 2]);

    /// <summary>On the pinned case the rounded difference is a lower bound of the float64 z_y − z_j with no tolerance at
    /// all, where the unrounded one exceeds it (by 1.2e-5, more than the law's tolerance).</summary>
    [Fact]
    public void Pinned_case_the_rounded_difference_is_below_the_float64_difference()
    {
        var c = Pinned();
        using var scope = NewDisposeScope();
        using var net = c.CreateNetwork();
        using var _ = no_grad();
        var (x, y) = (c.Inputs(), c.Labels());
        var eye = Verifier.Bounds(net, x, y, c.Eps, Domain.DeepPoly, SpecKind.Eye);
        var points = Sampling.Points(x, c.Eps, c.Seed);                                       // [B, P, …]
        var logits = Float64Reference.Forward(net, points.flatten(0, 1)).Logits.view(points.shape[0], points.shape[1], -1);
        var c64 = Spec.DiffMatrix(y, (int)logits.shape[2]).to(float64);
        var differences = matmul(logits, c64.transpose(1, 2)).amin(1);                          // [B, K−1]: least over the points
        var excess = (eye.DiffLower.to(float64) - differences).max().item<double>();
        var unroundedExcess = (eye.Unrounded!.to(float64) - differences).max().item<double>();
        var margin = (eye.Unrounded!.to(float64) - eye.DiffLower.to(float64)).max().item<double>();
        log.WriteLine(string.Create(Inv, $"{c}: ε {c.Eps}, unrounded excess {unroundedExcess:G3}, rounded excess {excess:G3}, largest margin {margin:G3}"));
        var beyondTolerance = (eye.Unrounded!.to(float64) - differences - Tolerance.Of(differences)).max().item<double>();
        Assert.True(beyondTolerance > 0, $"the pinned case no longer shows the cancellation beyond the law's tolerance (unrounded excess {unroundedExcess:G3})");
        Assert.True(excess <= 0, $"the rounded per-logit difference exceeds z_y − z_j by {excess:G3}");
    }

    static InterpretedNetwork Network()
    {
        manual_seed(21);
        var net = new InterpretedNetwork(NetworkDescription.Declared("eye-margin", Shape.Of(1, 28, 28),
            new FlattenDeclaration(), new DenseDeclaration(24), new ReluDeclaration(), new DenseDeclaration(10)));
        net.eval();
        return net;
    }

    /// <summary>Every domain but the Triangle LP rounds the per-logit differences outward; the per-logit box stays as
    /// computed, the unrounded differences are exactly l_y − u_j of it, and the margin is a constant (same gradient).</summary>
    [Theory]
    [InlineData("box")]
    [InlineData("hbox")]
    [InlineData("zono")]
    [InlineData("deeppoly")]
    [InlineData("crown-ibp")]
    public void Eye_differences_are_the_unrounded_ones_minus_a_constant_margin(string name)
    {
        using var scope = NewDisposeScope();
        using var net = Network();
        manual_seed(5);
        var x = rand(8, 1, 28, 28);
        var y = net.forward(x).argmax(1);
        var eye = Verifier.Bounds(net, x, y, 0.01, D(name), SpecKind.Eye);
        var diffs = Verifier.Bounds(net, x, y, 0.01, D(name), SpecKind.Diffs);
        Assert.Null(diffs.Unrounded);
        Assert.Same(diffs.DiffLower, diffs.DiffLowerAsComputed);
        var unrounded = eye.Unrounded ?? throw new Xunit.Sdk.XunitException($"{name}: no unrounded differences with SpecKind.Eye");
        var margin = DifferenceMargin.Of(net, x, y, 0.01);
        Assert.True(margin.gt(0).all().item<bool>(), $"{name}: a margin of 0");
        Assert.True(eye.DiffLower.eq(unrounded - margin).all().item<bool>(), $"{name}: DiffLower is not the unrounded differences minus the margin");
        if (name is not ("zono" or "hbox"))      // (hybrid) zonotopes form the differences from the element, not the box
        {
            var others = Spec.OtherClasses(y, 10);
            var (ly, uj) = (eye.Logits!.Lower.gather(1, y.unsqueeze(1)), eye.Logits!.Upper.gather(1, others));
            var gap = (unrounded - (ly - uj)).abs() - (ly.abs() + uj.abs() + 1) * 1e-6;      // the box keeps center and radius
            Assert.True(gap.le(0).all().item<bool>(), $"{name}: unrounded differences are not l_y − u_j (off by {gap.max().item<float>():G3} beyond float32 rounding)");
        }
        var weight = net.parameters().First();
        var rounded = autograd.grad([eye.DiffLower.sum()], [weight], retain_graph: true)[0];
        var asComputed = autograd.grad([unrounded.sum()], [weight])[0];
        Assert.True(rounded.eq(asComputed).all().item<bool>(), $"{name}: a gradient flows through the margin");
    }

    /// <summary>Certified training with the per-logit specification trains on the differences as computed: CROWN-IBP's
    /// β-mixing of pseudo-logits gets the unrounded differences (the margin is for certificates only).</summary>
    [Fact]
    public void Training_mixes_the_unrounded_differences()
    {
        using var scope = NewDisposeScope();
        using var net = Network();
        manual_seed(6);
        var x = rand(8, 1, 28, 28);
        var y = net.forward(x).argmax(1);
        var settings = new LossSettings(D("crown-ibp"), 0.01, Kappa: 0, Beta: 0.5, Spec: SpecKind.Eye);
        var loss = CertifiedLoss.Compute(net, x, y, settings);
        var ibp = Verifier.Bounds(net, x, y, 0.01, Domain.Box, SpecKind.Eye);
        var crownIbp = Verifier.Bounds(net, x, y, 0.01, D("crown-ibp"), SpecKind.Eye);
        var expected = SpecLoss.Mixed(ibp.Unrounded!, crownIbp.Unrounded!, 0.5, y);
        var rounded = SpecLoss.Mixed(ibp.DiffLower, crownIbp.DiffLower, 0.5, y);
        Assert.Equal(expected.item<float>(), loss.Loss.item<float>());
        Assert.NotEqual(rounded.item<float>(), loss.Loss.item<float>());
        Assert.True(loss.Certified!.eq(crownIbp.Unrounded!.gt(0).all(1)).all().item<bool>());
    }

    /// <summary>On a paper FC network (logits' absolute magnitude in the hundreds) the float32 margin is measured and
    /// the per-logit certificates still come: the candidate filter uses the unrounded float32 differences, the float64
    /// check the rounded float64 ones.</summary>
    [SharedTheory]
    [InlineData("mnist_FC_crownibp1to1", "crown-ibp")]
    [InlineData("mnist_FC_zono", "zono")]
    public void Paper_network_per_logit_certificates_survive_the_margin(string model, string name)
    {
        using var scope = NewDisposeScope();
        using var net = NetworkCatalog.Find("FC", Shape.Of(1, 28, 28)).Match(e => e, e => throw new Xunit.Sdk.XunitException(e.Message)).Create();
        StateDict.Load(net, SharedFiles.Pretrained(model)).Match(_ => 0, e => throw new Xunit.Sdk.XunitException(e.Message));
        net.eval();
        var data = DatasetCatalog.Load("mnist", null, Split.Test).Match(d => d, e => throw new Xunit.Sdk.XunitException(e.Message));
        var (x, y) = data.Batch(Enumerable.Range(0, 100).ToArray());
        using var _ = no_grad();
        var eye = Verifier.Bounds(net, x, y, 0.1, D(name), SpecKind.Eye);
        var margin32 = (eye.Unrounded! - eye.DiffLower).to(float64);
        using var net64 = FinalCheck.Float64Copy(net, CPU);
        var margin64 = DifferenceMargin.Of(net64, x.to(float64), y, 0.1);
        long candidates = eye.Unrounded!.gt(0).all(1).sum().item<long>();
        long rounded32 = eye.DiffLower.gt(0).all(1).sum().item<long>();
        long certified = Verifier.Certify(net, x, y, 0.1, D(name), SpecKind.Eye).sum().item<long>();
        log.WriteLine(string.Create(Inv, $"{model} {name} ε 0.1 eye: float32 margin median {margin32.median().item<double>():G3}, max {margin32.max().item<double>():G3}; " +
            $"float64 margin max {margin64.max().item<double>():G3}; |unrounded d| median {eye.Unrounded!.abs().median().item<float>():G3}; " +
            $"float32 candidates {candidates}/100, > 0 after the float32 margin {rounded32}/100, certified {certified}/100"));
        Assert.True(candidates > 0, "no candidates: the check is vacuous");
        Assert.True(certified >= candidates * 95 / 100, $"the float64 check refused {candidates - certified} of {candidates} candidates");
    }
}
