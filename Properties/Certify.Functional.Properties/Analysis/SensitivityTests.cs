using Certify.Functional.Properties.Laws;
using Certify.Functional.Relaxations.Analysis;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Relaxations.Verification;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Analysis;

/// <summary>
/// SPEC §7.3's one-hidden-neuron example: the bounds of Box, hBox, DeepZ and CROWN against the closed forms and the
/// reference's values, DeepZ's ∂/∂b₁ = w₂·a/r, and <see cref="Sensitivity.Measure"/> against the closed form: for the same
/// seeded directions d_m, E_m |F(θ + δd_m) − F(θ)|/δ and E_m ‖∇F(θ + δd_m) − ∇F(θ)‖/‖∇F(θ)‖ with F the float64 closed-form
/// loss (the finite difference tends to the directional derivative E_m |∇F·d_m| as δ → 0, also checked). Tolerances:
/// tol = 1e−5·(1 + |v|) per float32 value (house rule), divided by δ for difference quotients.
/// </summary>
[Collection(LawCollection.Name)]
public sealed class SensitivityTests : TorchTest
{
    static double Tol(double v) => 1e-5 * (1 + Math.Abs(v));

    [Theory]
    // (b₁, w₂) and SPEC §7.3's reference values (x₀ = 0.5, ε = 0.25, w₁ = 2): Box, hBox, DeepZ, CROWN.
    [InlineData(-0.9, 1.5, 0, 0, -0.36, -0.6)]
    [InlineData(-1.1, 1.5, 0, 0, -0.36, 0)]
    [InlineData(-0.9, -1.5, -0.9, -0.9, -0.9, -0.9)]
    public void Bounds_match_the_closed_forms_and_the_reference(double b1, double w2, double box, double hbox, double deepz, double crown)
    {
        using var scope = NewDisposeScope();
        using var net = TinyNetworks.OneNeuron(2, b1, w2, 0);
        using var _ = no_grad();
        foreach (var (name, reference) in new[] { ("box", box), ("hbox", hbox), ("zono", deepz), ("deeppoly", crown) })
        {
            var bound = Verifier.Bounds(net, TinyNetworks.Input(), TinyNetworks.Label(), TinyNetworks.Eps, Domain.Parse(name).ThrowIfFail()).DiffLower.item<float>();
            double closed = OneNeuronClosedForm.Lower(name, 2, b1, w2, 0);
            Assert.True(Math.Abs(bound - closed) <= Tol(closed), $"{name}: bound {bound:R}, closed form {closed:R}");
            Assert.True(Math.Abs(closed - reference) <= Tol(reference), $"{name}: closed form {closed:R}, reference {reference:R}");
        }
    }

    [Theory]
    [InlineData(-0.9, 1.5)]
    [InlineData(-1.1, 1.5)]
    [InlineData(-0.95, 0.7)]
    public void Deepz_gradient_in_b1_is_w2_a_over_r(double b1, double w2)
    {
        using var scope = NewDisposeScope();
        using var net = TinyNetworks.OneNeuron(2, b1, w2, 0);
        var bias = net.named_parameters().Single(p => p.name == "layers.0.bias").parameter;
        var bound = Verifier.Bounds(net, TinyNetworks.Input(), TinyNetworks.Label(), TinyNetworks.Eps, Domain.DeepZ).DiffLower.sum();
        var g = autograd.grad([bound], [bias])[0].item<float>();
        double a = 2 * TinyNetworks.X0 + b1, r = 2 * TinyNetworks.Eps;
        Assert.True(Math.Abs(g - w2 * a / r) <= Tol(w2 * a / r), $"∂d/∂b₁ = {g:R}, w₂a/r = {w2 * a / r:R}");
    }

    [Theory]
    [InlineData("zono")]
    [InlineData("deeppoly")]
    [InlineData("box")]
    public void Sensitivity_matches_the_closed_form(string name)
    {
        double[] theta = [2, -0.9, 1.5, 0, 0.2, 0];                   // w₁, b₁, W₂[0], W₂[1], b₂[0], b₂[1]
        using var net = TinyNetworks.OneNeuron(theta[0], theta[1], theta[2], theta[4]);
        using var scope = NewDisposeScope();
        var options = new SensitivityOptions(Directions: 4, Seed: 17);
        var domain = Domain.Parse(name).ThrowIfFail();
        var report = Sensitivity.Measure(net, TinyNetworks.Input(), TinyNetworks.Label(), domain, TinyNetworks.Eps, options);

        var directions = Enumerable.Range(0, 4).Select(m => ParameterDirection.Random(net, 17 + (ulong)m).Values.SelectMany(v => v).ToArray()).ToList();
        double f0 = OneNeuronClosedForm.Loss(name, theta);
        var g0 = OneNeuronClosedForm.Gradient(name, theta);
        double gNorm = Norm(g0);
        Assert.True(Math.Abs(report.Loss - f0) <= Tol(f0), $"L = {report.Loss:R}, closed form {f0:R}");
        Assert.True(Math.Abs(report.GradientNorm - gNorm) <= 1e-5 * (1 + gNorm) * Math.Sqrt(6), $"‖∇L‖ = {report.GradientNorm:R}, closed form {gNorm:R}");
        double derivative = directions.Average(d => Math.Abs(g0.Select((g, i) => g * d[i]).Sum()));
        foreach (var at in report.PerDelta)
        {
            // θ + δd as the network computes it: float32 δ·d, then a float32 sum.
            var shifted = directions.Select(d => theta.Select((t, i) => (double)((float)t + (float)at.Delta * d[i])).ToArray()).ToList();
            double rate = shifted.Average(s => Math.Abs(OneNeuronClosedForm.Loss(name, s) - f0)) / at.Delta;
            double change = shifted.Average(s => Norm(OneNeuronClosedForm.Gradient(name, s).Select((g, i) => g - g0[i]).ToArray())) / gNorm;
            double rateTol = 2 * Tol(f0) / at.Delta;
            double changeTol = 2 * 1e-5 * (1 + gNorm) * Math.Sqrt(6) / gNorm;
            Assert.True(Math.Abs(at.LossRate - rate) <= rateTol, $"{name} δ = {at.Delta}: rate {at.LossRate:R}, closed form {rate:R} (tol {rateTol:R})");
            Assert.True(Math.Abs(at.GradientChange - change) <= changeTol, $"{name} δ = {at.Delta}: change {at.GradientChange:R}, closed form {change:R} (tol {changeTol:R})");
            // The finite difference tends to the directional derivative (the closed form is smooth around θ).
            Assert.True(Math.Abs(at.LossRate - derivative) <= rateTol + Math.Abs(rate - derivative), $"{name} δ = {at.Delta}: rate {at.LossRate:R}, E|∇F·d| {derivative:R}");
        }
        var small = report.PerDelta.OrderBy(p => p.Delta).First();
        Assert.True(Math.Abs(small.LossRate - derivative) <= 0.01 * derivative + 2 * Tol(f0) / small.Delta, "δ → 0 limit");
    }

    [Fact]
    public void Normalisation_divides_by_box_on_the_same_directions_and_weights_come_back()
    {
        using var net = TinyNetworks.OneNeuron(2, -0.9, 1.5, 0.2);
        using var scope = NewDisposeScope();
        var before = TinyNetworks.Bits(net);
        var options = new SensitivityOptions(Directions: 3, Seed: 5);
        var (x, y) = (TinyNetworks.Input(), TinyNetworks.Label());
        var zono = Sensitivity.Measure(net, x, y, Domain.DeepZ, TinyNetworks.Eps, options);
        var box = Sensitivity.Measure(net, x, y, Domain.Box, TinyNetworks.Eps, options);
        Assert.Equal(before, TinyNetworks.Bits(net));
        Assert.Equal(new[] { 1e-4, 1e-3, 1e-2 }, zono.PerDelta.Select(p => p.Delta).ToArray());
        foreach (var (z, b) in zono.PerDelta.Zip(box.PerDelta))
        {
            Assert.Equal(z.LossRate / b.LossRate, z.LossRateVsBox);
            Assert.Equal(z.GradientChange / b.GradientChange, z.GradientChangeVsBox);
            Assert.Equal(1.0, b.LossRateVsBox);
            Assert.Equal(1.0, b.GradientChangeVsBox);
        }
        Assert.Throws<InvalidOperationException>(() => Sensitivity.Measure(net, x, y, Domain.TriangleLp, TinyNetworks.Eps, options));
        Assert.Equal(before, TinyNetworks.Bits(net));
    }

    static double Norm(double[] v) => Math.Sqrt(v.Sum(e => e * e));
}
