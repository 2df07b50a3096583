using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Relaxations;

/// <summary>soundness.md §13 for the back-substitution family: deeppoly and its variants, soft slope, CROWN-IBP (R), the β mixing,
/// the identity-spec per-logit bounds and the gradient.</summary>
public class GoldenDeepPolyTests : TorchTest
{
    const double BoundTol = 1e-5, GradTol = 1e-4;

    static Domain D(string name) => GoldenNetwork.Domain(name);

    static void Close(double[] expected, Tensor actual, double tol, string what) => GoldenNetwork.Close(expected, actual, tol, what);

    public static TheoryData<string, double[], double> Diffs() => new()
    {
        { "deeppoly", [-0.55049, -1.48026, -1.1737, 0.05671, -0.7838, -1.60669, -1.03131, 0.16581, 0.11259], 3.136734 },
        { "deeppoly:1", [-0.55049, -1.48026, -1.1737, 0.05671, -0.7838, -1.60669, -1.03131, 0.16581, 0.11259], 3.136734 },
        { "deeppoly:0", [-0.55049, -1.52482, -1.26507, 0.05671, -0.7838, -1.66052, -1.12002, 0.16581, 0.11259], 3.181137 },
        { "deeppoly:0-c-unrounded", [-1.98039, -2.45689, -1.48485, -0.77423, -2.21491, -2.50422, -1.28446, 0.07872, -0.8329], 4.002391 },
        { "deeppoly:1-c", [-2.53049, -3.41442, -1.96795, -0.77263, -2.83389, -3.46127, -1.72135, -0.04678, -0.87783], 4.711285 },
        { "deeppoly:lower-tria", [-1.59865, -1.90035, -1.26507, -0.66794, -1.82239, -1.92737, -1.12002, 0.11561, -0.69361], 3.614770 },
        { "deeppoly:upper-tria", [-1.00337, -1.74059, -1.19831, -0.36924, -1.23283, -1.84245, -1.03926, 0.124, -0.34659], 3.369258 },
        { "deeppoly:lower-tria-c-unrounded", [-3.35758, -3.62259, -2.03718, -1.59881, -3.60291, -3.63682, -1.83224, -0.00961, -1.75047], 5.120750 },
        { "deeppoly:upper-tria-c-unrounded", [-5.35898, -6.08584, -3.13584, -2.38584, -5.6998, -5.99989, -2.77906, -0.14486, -2.68647], 7.259190 },
        { "deeppoly:gamma=1", [-0.55049, -1.48368, -1.17932, 0.05671, -0.7838, -1.61071, -1.03665, 0.16581, 0.11259], 3.139698 },
        { "crown-ibp", [-1.23576, -1.90128, -1.27331, -0.36495, -1.47385, -1.98481, -1.11922, 0.13706, -0.35977], 3.501332 },
    };

    [Theory]
    [MemberData(nameof(Diffs))]
    public void Diff_bounds_and_loss(string domain, double[] d, double ce)
    {
        using var scope = NewDisposeScope();
        using var net = GoldenNetwork.Create();
        var bounds = Verifier.Bounds(net, GoldenNetwork.Input(), GoldenNetwork.Label(), GoldenNetwork.Eps, D(domain));
        Close(d, bounds.DiffLower, BoundTol, domain);
        Close([ce], SpecLoss.Loss(bounds, GoldenNetwork.Label()), BoundTol, domain + " CE");
    }

    /// <summary>The sound "-C" variants round the lines' constants outward (RoundingMargin): on the golden network their
    /// bounds lie below the reference's (unrounded) values, by less than 1e-4.</summary>
    [Theory]
    [InlineData("deeppoly:0-c"), InlineData("deeppoly:lower-tria-c"), InlineData("deeppoly:upper-tria-c")]
    public void Rounded_constant_lines_are_below_the_reference_bounds(string domain)
    {
        using var scope = NewDisposeScope();
        using var net = GoldenNetwork.Create();
        var sound = Verifier.Bounds(net, GoldenNetwork.Input(), GoldenNetwork.Label(), GoldenNetwork.Eps, D(domain)).DiffLower.to(float64);
        var raw = Verifier.Bounds(net, GoldenNetwork.Input(), GoldenNetwork.Label(), GoldenNetwork.Eps, D(domain + "-unrounded")).DiffLower.to(float64);
        var gap = raw - sound;
        Assert.True(gap.min().item<double>() > 0, $"{domain}: every rounded bound is strictly below the unrounded one (min gap {gap.min().item<double>():E2})");
        Assert.True(gap.max().item<double>() < 1e-4, $"{domain}: the rounding margin stays a rounding margin (max gap {gap.max().item<double>():E2})");
    }

    [Fact]
    public void Identity_spec_gives_per_logit_bounds()
    {
        using var scope = NewDisposeScope();
        using var net = GoldenNetwork.Create();
        var bounds = Verifier.Bounds(net, GoldenNetwork.Input(), GoldenNetwork.Label(), GoldenNetwork.Eps, Domain.DeepPoly, SpecKind.Eye);
        Close([-0.17597, 0.47446, 0.23371, -0.59186, -0.90306, 0.05779, 0.57269, 0.13789, -0.81229, -0.94335], bounds.Logits!.Lower, BoundTol, "l");
        Close([-0.00065, 0.8884, 0.58184, -0.37542, -0.43213, 0.21938, 1.01483, 0.44868, -0.54123, -0.48801], bounds.Logits!.Upper, BoundTol, "u");
        Close([3.171218], SpecLoss.Loss(bounds, GoldenNetwork.Label()), BoundTol, "CE(wc)");
    }

    [Fact]
    public void Beta_mixing_mixes_pseudo_logits()
    {
        using var scope = NewDisposeScope();
        using var net = GoldenNetwork.Create();
        var (x, y) = (GoldenNetwork.Input(), GoldenNetwork.Label());
        var ibp = Verifier.Bounds(net, x, y, GoldenNetwork.Eps, Domain.Box).DiffLower;
        var crownIbp = Verifier.Bounds(net, x, y, GoldenNetwork.Eps, D("crown-ibp")).DiffLower;
        Close([4.744470], SpecLoss.Mixed(ibp, crownIbp, 0.0, y), BoundTol, "β=0");
        Close([4.105476], SpecLoss.Mixed(ibp, crownIbp, 0.5, y), BoundTol, "β=0.5");
        Close([3.501332], SpecLoss.Mixed(ibp, crownIbp, 1.0, y), BoundTol, "β=1");
    }

    [Fact]
    public void Gradient_of_the_deeppoly_loss()
    {
        using var scope = NewDisposeScope();
        using var net = GoldenNetwork.Create();
        var l = SpecLoss.Loss(Verifier.Bounds(net, GoldenNetwork.Input(), GoldenNetwork.Label(), GoldenNetwork.Eps, Domain.DeepPoly), GoldenNetwork.Label());
        l.backward();
        Close([3.136734], l, BoundTol, "loss");
        Close([2.114736], net.DenseAt(0).Weight.grad!.norm(), GradTol, "‖∂L/∂W₀‖");
        Close([-0.34342, 1.04452, 0.0, 0.5027, -0.88859], net.DenseAt(0).Bias.grad!, GradTol, "∂L/∂b₀");
    }
}
