using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Relaxations;

/// <summary>soundness.md §13: bounds and losses to 1e-5, gradients to 1e-4, computed by the unmodified reference code.</summary>
public class GoldenVectorTests : TorchTest
{
    const double BoundTol = 1e-5, GradTol = 1e-4;

    static Domain D(string name) => GoldenNetwork.Domain(name);

    static void Close(double[] expected, Tensor actual, double tol, string what) => GoldenNetwork.Close(expected, actual, tol, what);

    [Fact]
    public void Clean_logits()
    {
        using var net = GoldenNetwork.Create();
        Close([-0.090838, 0.698392, 0.436239, -0.484453, -0.696521, 0.138583, 0.813839, 0.315659, -0.681525, -0.745373],
            net.forward(GoldenNetwork.Input()), BoundTol, "logits");
    }

    public static TheoryData<string, double[], double> Diffs() => new()
    {
        { "box", [-2.56516, -3.42211, -2.05836, -1.07284, -2.81423, -3.48357, -1.8122, 0.05974, -1.17287], 4.744470 },
        { "hbox", [-1.00337, -1.84403, -1.32298, -0.36924, -1.23283, -1.95442, -1.15715, 0.12241, -0.34659], 3.441100 },
        { "zono", [-0.55049, -1.487, -1.18481, 0.05671, -0.7838, -1.61462, -1.04186, 0.16581, 0.11259], 3.142592 },
        { "zbox", [-1.00337, -1.78515, -1.28968, -0.36924, -1.23283, -1.89628, -1.12796, 0.124, -0.34659], 3.409336 },
        { "zdiag", [-1.45858, -1.80165, -1.18248, -0.58386, -1.68128, -1.83798, -1.03415, 0.12134, -0.59996], 3.514278 },
        { "zdiag-c-unsound", [-1.58443, -1.18799, -0.62778, -1.08682, -1.70854, -1.20212, -0.5336, 0.01672, -1.1036], 3.351547 },
        { "zswitch", [-0.87077, -1.64188, -1.18898, -0.20121, -1.08913, -1.75306, -1.03625, 0.14439, -0.17374], 3.283844 },
        { "hzono", [-0.55049, -1.50593, -1.19551, 0.05671, -0.7838, -1.6333, -1.05124, 0.1653, 0.11259], 3.152968 },
        { "hdiag", [-1.45858, -1.91919, -1.21875, -0.58386, -1.68128, -1.97088, -1.05459, 0.12059, -0.59996], 3.567271 },
        { "hdiag-c", [-6.59845, -7.79857, -4.45423, -3.19919, -6.93484, -7.77412, -3.98281, -0.22442, -3.58279], 8.821613 },
        { "hswitch", [-0.87077, -1.66977, -1.20475, -0.20121, -1.08913, -1.78059, -1.05007, 0.14364, -0.17374], 3.298697 },
        { "zono-ibp", [-1.47882, -2.02551, -1.28186, -0.52366, -1.70928, -2.08822, -1.12791, 0.12386, -0.53919], 3.625463 },
        { "zono:gamma=1", [-0.67725, -1.54106, -1.18475, -0.04475, -0.90281, -1.66268, -1.03841, 0.15652, -0.00536], 3.193713 },
        { "box:widen=0.1", [-3.74348, -4.71664, -2.68968, -1.62194, -4.03215, -4.74147, -2.37826, 0.02092, -1.80677], 5.896238 },
        { "box:round=0.5,per-unit=10", [-5.06453, -6.27927, -3.51591, -2.19567, -5.40576, -6.27259, -3.1118, -0.01621, -2.47668], 7.328601 },
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

    public static TheoryData<string, double[], double[]> PreRelu2() => new()
    {
        { "box", [-0.92886, 0.01673, -0.17649, -1.1567, -1.02436], [0.70752, 1.03423, 0.91182, 0.42678, -0.14671] },
        { "hbox", [-0.42167, 0.40213, 0.02324, -0.53769, -0.85253], [0.20034, 0.64883, 0.71209, -0.19223, -0.31854] },
        { "zbox", [-0.42167, 0.40213, 0.02324, -0.53769, -0.85253], [0.20034, 0.64883, 0.71209, -0.19223, -0.31854] },
        { "zono", [-0.30099, 0.41031, 0.24546, -0.44947, -0.79495], [-0.03355, 0.63064, 0.59739, -0.20944, -0.44335] },
        { "hzono", [-0.30099, 0.41031, 0.24546, -0.44947, -0.79495], [-0.03355, 0.63064, 0.59739, -0.20944, -0.44335] },
        { "zdiag", [-0.34571, 0.40978, 0.13447, -0.55412, -0.7875], [0.12438, 0.64118, 0.60086, -0.17581, -0.38357] },
        { "zswitch", [-0.34571, 0.40978, 0.13447, -0.55412, -0.7875], [0.12438, 0.64118, 0.60086, -0.17581, -0.38357] },
    };

    [Theory]
    [MemberData(nameof(PreRelu2))]
    public void Pre_activation_bounds(string domain, double[] l2, double[] u2)
    {
        using var scope = NewDisposeScope();
        using var net = GoldenNetwork.Create();
        var bounds = Verifier.Bounds(net, GoldenNetwork.Input(), GoldenNetwork.Label(), GoldenNetwork.Eps, D(domain));
        Assert.Equal(2, bounds.PreActivation.Count);
        Close([-0.170234, 0.688737, -1.720765, 0.475165, 0.109637], bounds.PreActivation[0].Lower, BoundTol, domain + " l1");
        Close([0.359504, 1.265674, -1.222225, 0.944958, 0.664679], bounds.PreActivation[0].Upper, BoundTol, domain + " u1");
        Close(l2, bounds.PreActivation[1].Lower, BoundTol, domain + " l2");
        Close(u2, bounds.PreActivation[1].Upper, BoundTol, domain + " u2");
    }

    public static TheoryData<string, double[], double[], double> Eye() => new()
    {
        { "box", [-0.97534, -0.21469, -0.58284, -1.60478, -1.66883, -0.74994, -0.07577, -0.66967, -1.83552, -1.72217], [1.06007, 1.81733, 1.3057, 0.34514, 0.26046, 1.30914, 1.87879, 1.11841, 0.19356, 0.25576], 5.007455 },
        { "zono", [-0.15049, 0.47446, 0.23371, -0.59217, -0.91403, 0.08307, 0.57269, 0.13789, -0.8141, -0.95462], [-0.00065, 0.89484, 0.59264, -0.37542, -0.43213, 0.21938, 1.02245, 0.44969, -0.54123, -0.48801], 3.175887 },
        { "hbox", [-0.21432, 0.34601, -0.11606, -0.79269, -1.02389, 0.05255, 0.42461, -0.21728, -1.00877, -1.06663], [0.32515, 1.05359, 0.69764, -0.34407, -0.17348, 0.50348, 1.1656, 0.54848, -0.48708, -0.19934], 3.538754 },
    };

    [Theory]
    [MemberData(nameof(Eye))]
    public void Per_logit_bounds_and_worst_case_loss(string domain, double[] l, double[] u, double ce)
    {
        using var scope = NewDisposeScope();
        using var net = GoldenNetwork.Create();
        var bounds = Verifier.Bounds(net, GoldenNetwork.Input(), GoldenNetwork.Label(), GoldenNetwork.Eps, D(domain), SpecKind.Eye);
        Close(l, bounds.Logits!.Lower, BoundTol, domain + " l");
        Close(u, bounds.Logits!.Upper, BoundTol, domain + " u");
        Close([ce], SpecLoss.Loss(bounds, GoldenNetwork.Label()), BoundTol, domain + " CE(wc)");
    }

    /// <summary>The zonotope's differences formed from its output element equal the merged specification's bounds (the
    /// theorem is about the computed values: <see cref="SpecBounds.Unrounded"/>; the per-logit <see cref="SpecBounds.DiffLower"/>
    /// is those minus the outward rounding margin, <see cref="DifferenceMargin"/>).</summary>
    [Fact]
    public void Zonotope_per_logit_differences_equal_the_merged_specification()
    {
        using var scope = NewDisposeScope();
        using var net = GoldenNetwork.Create();
        var eye = Verifier.Bounds(net, GoldenNetwork.Input(), GoldenNetwork.Label(), GoldenNetwork.Eps, Domain.DeepZ, SpecKind.Eye);
        var diffs = Verifier.Bounds(net, GoldenNetwork.Input(), GoldenNetwork.Label(), GoldenNetwork.Eps, Domain.DeepZ);
        Close(diffs.DiffLower.to(float64).flatten().data<double>().ToArray(), eye.Unrounded!, BoundTol, "eye-verify vs diffs");
        Assert.True(eye.DiffLower.lt(eye.Unrounded!).all().item<bool>(), "the per-logit differences are rounded outward");
    }

    public static TheoryData<string, double, double, double[]> Gradients() => new()
    {
        { "box", 4.744470, 4.168035, [1.3388, 2.0847, 0.0, -0.53022, -2.01148] },
        { "hbox", 3.441100, 3.772595, [1.26671, 1.8011, 0.0, -0.50042, -1.74441] },
        { "zono", 3.142592, 2.083594, [-0.23281, 1.04491, 0.0, 0.50534, -0.88854] },
    };

    [Theory]
    [MemberData(nameof(Gradients))]
    public void Gradients_of_the_abstract_loss(string domain, double loss, double weightNorm, double[] biasGrad)
    {
        using var scope = NewDisposeScope();
        using var net = GoldenNetwork.Create();
        var bounds = Verifier.Bounds(net, GoldenNetwork.Input(), GoldenNetwork.Label(), GoldenNetwork.Eps, D(domain));
        var l = SpecLoss.Loss(bounds, GoldenNetwork.Label());
        l.backward();
        Close([loss], l, BoundTol, domain + " loss");
        var first = net.DenseAt(0);
        Close([weightNorm], first.Weight.grad!.norm(), GradTol, domain + " ‖∂L/∂W₀‖");
        Close(biasGrad, first.Bias.grad!, GradTol, domain + " ∂L/∂b₀");
    }
}
