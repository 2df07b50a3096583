using Certify.Functional.Properties.Laws;
using Certify.Functional.Analysis;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Analysis;

/// <summary>
/// The continuity acceptance tests (properties.md §7.2, §7.3): slicing L_abs along b₁ on <see cref="TinyNetworks"/>, the jump
/// detector finds CROWN's jump at |l| = u (one neuron, a = 0 ⇔ b₁ = −w₁x₀ = −1) and hBox's at l = 0 (twin network,
/// a = r ⇔ b₁ = r − w₁x₀ = −0.5), and nothing for Box and DeepZ on either network. Slice: b₁ = −0.75 + t, t ∈ [−0.5, 0.5],
/// 201 points (coarse step 0.005, finest interval 5e−5 after two 10× refinements). Locations and slope shares are measured
/// against that finest interval as this test's own grid implies it (<see cref="Finest"/>), not against the detector's
/// reported <see cref="Jump.Width"/>, which is checked to be at most that bound.
/// </summary>
[Collection(LawCollection.Name)]
public sealed class ContinuityTests : TorchTest
{
    const double W1 = 2, B1 = -0.75, W2 = 1.5, Shift = 2, Radius = 0.5;
    const int Points = 201;

    /// <summary>The finest interval of the default detector (two 10× refinements) on this slice's grid: 2·Radius/(Points − 1)/10².</summary>
    const double Finest = 2 * Radius / (Points - 1) / 100;

    /// <summary>Float32 slack of the jump's position in t: b₁ + t is rounded to float32 (ulp(1)/2 ≈ 6e−8) before the network
    /// sees it, so the kink in t may sit that far from its float64 value.</summary>
    const double ParameterRounding = 1e-6;

    /// <summary>The reported width is positive and at most <see cref="Finest"/> (up to rounding of the subdivision), and the
    /// location is within half of it (plus the parameter's float32 rounding) of <paramref name="at"/>.</summary>
    static void IsBoundedAndAt(Jump jump, double at)
    {
        Assert.InRange(jump.Width, double.Epsilon, Finest * (1 + 1e-9));
        Assert.InRange(jump.Location, at - Finest / 2 - ParameterRounding, at + Finest / 2 + ParameterRounding);
    }

    static SliceJumps Slice(Certify.Functional.Networks.NetworkModule net, string domain)
    {
        using var scope = NewDisposeScope();
        var (x, y) = (TinyNetworks.Input(), TinyNetworks.Label());
        var d = Domain.Parse(domain).ThrowIfFail();
        var along = ParameterDirection.Unit(net, "layers.0.bias", 0);
        return JumpDetector.Detect(LossSlice.Function(net, x, y, d, TinyNetworks.Eps, along), -Radius, Radius, Points);
    }

    static double SoftPlusNeg(double d) => double.LogP1(Math.Exp(-d));

    [Fact]
    public void Crown_jumps_at_balanced_bounds_on_one_neuron()
    {
        using var net = TinyNetworks.OneNeuron(W1, B1, W2, 0);
        var found = Slice(net, "deeppoly");
        var jump = Assert.Single(found.Jumps);
        // a = 0 at b₁ = −1, i.e. t = −0.25; d goes from 0 (slope 0) to w₂·(a − r) = −0.75 (slope 1) as a passes 0 upward.
        IsBoundedAndAt(jump, -0.25);
        double expected = SoftPlusNeg(-W2 * 0.5) - SoftPlusNeg(0);
        // Slope share over the finest interval: |∂L/∂b₁| ≤ w₂ = 1.5 times its width 5e−5.
        Assert.InRange(jump.Size, expected - W2 * Finest - 1e-5, expected + W2 * Finest + 1e-5);
    }

    [Fact]
    public void Hbox_jumps_at_lower_zero_on_the_twin_network()
    {
        using var net = TinyNetworks.Twin(W1, B1, Shift);
        var found = Slice(net, "hbox");
        var jump = Assert.Single(found.Jumps);
        // l = 0 at a = r = 0.5, b₁ = −0.5, t = 0.25. The witness keeps its bias b₁⁰ + s, so a₂ = w₁x₀ + b₁⁰ + s = 2.25 is fixed:
        // d goes from −(a₂ + r) = −2.75 (crossing: box [0, u], correlation lost) to a − a₂ = −1.75 (active: exact h₁ − h₂).
        IsBoundedAndAt(jump, 0.25);
        double a2 = W1 * TinyNetworks.X0 + B1 + Shift, r = W1 * TinyNetworks.Eps;
        double expected = SoftPlusNeg(r - a2) - SoftPlusNeg(-(a2 + r));
        Assert.InRange(jump.Size, expected - Finest - 1e-5, expected + Finest + 1e-5);
    }

    [Fact]
    public void Hbox_has_no_jump_on_a_single_neuron()
    {
        using var net = TinyNetworks.OneNeuron(W1, B1, W2, 0);
        Assert.Empty(Slice(net, "hbox").Jumps);
    }

    [Theory]
    [InlineData("box")]
    [InlineData("zono")]
    public void Box_and_deepz_have_no_jumps(string domain)
    {
        using var one = TinyNetworks.OneNeuron(W1, B1, W2, 0);
        using var twin = TinyNetworks.Twin(W1, B1, Shift);
        var (onJumps, twinJumps) = (Slice(one, domain), Slice(twin, domain));
        Assert.Empty(onJumps.Jumps);
        Assert.Empty(twinJumps.Jumps);
        Assert.True(onJumps.MaxDifference > 0 && twinJumps.MaxDifference > 0, "the slices must actually vary with b₁");
    }

    [Fact]
    public void Slice_at_zero_is_the_loss_and_weights_come_back_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var net = new Certify.Functional.Relaxations.Interpreter.InterpretedNetwork(Certify.Functional.Layers.NetworkDescription.Declared("fc", Certify.Functional.Layers.Shape.Of(4),
            new Certify.Functional.Layers.DenseDeclaration(6), new Certify.Functional.Layers.ReluDeclaration(), new Certify.Functional.Layers.DenseDeclaration(5), new Certify.Functional.Layers.ReluDeclaration(), new Certify.Functional.Layers.DenseDeclaration(3)));
        var x = rand(5, 4);
        var y = tensor(new long[] { 0, 1, 2, 1, 0 });
        var before = TinyNetworks.Bits(net);
        foreach (var name in new[] { "box", "hbox", "zono", "deeppoly", "crown-ibp" })
        {
            var domain = Domain.Parse(name).ThrowIfFail();
            var random = ParameterDirection.Random(net, 11);
            Assert.Equal(AbstractLoss.Value(net, x, y, domain, 0.05), LossSlice.At(net, x, y, domain, 0.05, random, 0));
            var slice = LossSlice.Evaluate(net, x, y, domain, 0.05, random, 0.3, 7);
            Assert.Equal(7, slice.Loss.Length);
            Assert.NotEqual(slice.Loss[0], slice.Loss[^1]);
            Assert.Equal(before, TinyNetworks.Bits(net));
            var gradient = ParameterDirection.Gradient(net, x, y, domain, 0.05);
            Assert.Equal(ParameterDirection.ThetaNorm(net), gradient.Norm, 1e-4 * gradient.Norm);
            // A small step along the gradient increases the loss (first-order ascent).
            Assert.True(LossSlice.At(net, x, y, domain, 0.05, gradient, 1e-4) > LossSlice.At(net, x, y, domain, 0.05, gradient, 0), name);
            Assert.Equal(before, TinyNetworks.Bits(net));
        }
    }

    [Fact]
    public void Weights_come_back_when_the_evaluation_throws()
    {
        using var scope = NewDisposeScope();
        using var net = TinyNetworks.OneNeuron(W1, B1, W2, 0);
        var before = TinyNetworks.Bits(net);
        var along = ParameterDirection.Unit(net, "layers.0.bias", 0);
        var wrongInput = tensor(new[] { 0.5f, 0.5f }).view(1, 2);           // two features for a one-input network: throws after the shift
        Assert.ThrowsAny<Exception>(() => LossSlice.At(net, wrongInput, TinyNetworks.Label(), Domain.Box, TinyNetworks.Eps, along, 0.25));
        Assert.Equal(before, TinyNetworks.Bits(net));
    }
}
