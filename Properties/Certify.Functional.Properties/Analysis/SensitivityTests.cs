using Certify.Functional.Properties.Laws;
using Certify.Functional.Analysis;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Analysis;

/// <summary>
/// properties.md §7.3's one-hidden-neuron example: the bounds of Box, hBox, DeepZ and CROWN against the closed forms and the
/// reference's values, DeepZ's ∂/∂b₁ = w₂·a/r, and <see cref="Sensitivity.Measure"/> against the closed form: for the same
/// seeded directions d_m, E_m |F(θ + δd_m) − F(θ)|/δ, E_m ‖∇F(θ + δd_m) − ∇F(θ)‖/‖∇F(θ)‖, the gradient's Lipschitz ratio
/// S = E_m ‖∇F(θ + δd_m) − ∇F(θ)‖/(δ‖d_m‖) and Ŝ = S‖θ‖²/F(θ), with F the float64 closed-form loss (the finite difference
/// tends to the directional derivative E_m |∇F·d_m| as δ → 0, also checked); <see cref="Sensitivity.FromEvaluations"/> on
/// L = c·θᵏ, where Ŝ = k(k − 1) for every c. Tolerances:
/// tol = 1e−5·(1 + |v|) per float32 value (house rule), divided by δ for difference quotients.
/// </summary>
[Collection(LawCollection.Name)]
public sealed class SensitivityTests : TorchTest
{
    static double Tol(double v) => 1e-5 * (1 + Math.Abs(v));

    [Theory]
    // (b₁, w₂) and properties.md §7.3's reference values (x₀ = 0.5, ε = 0.25, w₁ = 2): Box, hBox, DeepZ, CROWN.
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
            var moved = shifted.Select(s => Norm(OneNeuronClosedForm.Gradient(name, s).Select((g, i) => g - g0[i]).ToArray())).ToList();
            double change = moved.Average() / gNorm;
            // The step actually taken is the float32 shift, of length ‖d‖ up to rounding.
            double lipschitz = moved.Select((v, m) => v / (at.Delta * Norm(directions[m].Select(e => (double)e).ToArray()))).Average();
            double rateTol = 2 * Tol(f0) / at.Delta;
            double changeTol = 2 * 1e-5 * (1 + gNorm) * Math.Sqrt(6) / gNorm;
            double lipschitzTol = 2 * 1e-5 * (1 + gNorm) * Math.Sqrt(6) / (at.Delta * directions.Min(d => Norm(d.Select(e => (double)e).ToArray())));
            Assert.True(Math.Abs(report.WeightNorm - Norm(theta)) <= 1e-6 * Norm(theta), $"‖θ‖ = {report.WeightNorm:R}, closed form {Norm(theta):R}");
            Assert.True(Math.Abs(at.GradientLipschitz - lipschitz) <= lipschitzTol, $"{name} δ = {at.Delta}: S {at.GradientLipschitz:R}, closed form {lipschitz:R} (tol {lipschitzTol:R})");
            double relative = lipschitz * Norm(theta) * Norm(theta) / f0;
            double relativeTol = lipschitzTol * Norm(theta) * Norm(theta) / f0 + 1e-5 * relative;
            Assert.True(Math.Abs(at.Sensitivity - relative) <= relativeTol, $"{name} δ = {at.Delta}: Ŝ {at.Sensitivity:R}, closed form {relative:R} (tol {relativeTol:R})");
            Assert.True(Math.Abs(at.LossElasticity - rate / f0) <= rateTol / f0 + 1e-5 * rate / f0, $"{name} δ = {at.Delta}: elasticity {at.LossElasticity:R}, closed form {rate / f0:R}");
            Assert.True(Math.Abs(at.LossRate - rate) <= rateTol, $"{name} δ = {at.Delta}: rate {at.LossRate:R}, closed form {rate:R} (tol {rateTol:R})");
            Assert.True(Math.Abs(at.GradientChange - change) <= changeTol, $"{name} δ = {at.Delta}: change {at.GradientChange:R}, closed form {change:R} (tol {changeTol:R})");
            // The finite difference tends to the directional derivative (the closed form is smooth around θ).
            Assert.True(Math.Abs(at.LossRate - derivative) <= rateTol + Math.Abs(rate - derivative), $"{name} δ = {at.Delta}: rate {at.LossRate:R}, E|∇F·d| {derivative:R}");
        }
        var small = report.PerDelta.OrderBy(p => p.Delta).First();
        Assert.True(Math.Abs(small.LossRate - derivative) <= 0.01 * derivative + 2 * Tol(f0) / small.Delta, "δ → 0 limit");
    }

    [Fact]
    public void Box_does_not_turn_along_b1_on_a_crossing_neuron_and_deepz_does_and_weights_come_back()
    {
        // w₂ > 0, crossing (a = 0.1, r = 0.5): Box's bound b₂ does not depend on b₁ or w₁, so no gradient moves along b₁
        // (S = 0 in exact arithmetic; Box's float32 centre/radius form leaves rounding, held to the house tolerance
        // 1e−5·(1 + |v|) per gradient entry, i.e. 2·1e−5·(1 + ‖∇L‖)·√6 on the difference, over δ); DeepZ's bound
        // w₂(a² − r²)/(2r) + b₂ has ∂²/∂b₁² = w₂/r, so its gradient turns (|∂²L/∂b₁²| ≈ 1.6 here, 20× the tolerance at δ = 1e−3).
        using var net = TinyNetworks.OneNeuron(2, -0.9, 1.5, 0.2);
        using var scope = NewDisposeScope();
        var before = TinyNetworks.Bits(net);
        var options = new SensitivityOptions(Deltas: [1e-3, 1e-2]) { Given = [ParameterDirection.Unit(net, "layers.0.bias", 0)] };
        var (x, y) = (TinyNetworks.Input(), TinyNetworks.Label());
        var zono = Sensitivity.Measure(net, x, y, Domain.DeepZ, TinyNetworks.Eps, options);
        var box = Sensitivity.Measure(net, x, y, Domain.Box, TinyNetworks.Eps, options);
        Assert.Equal(before, TinyNetworks.Bits(net));
        foreach (var (z, b) in zono.PerDelta.Zip(box.PerDelta))
        {
            double rounding = 2 * 1e-5 * (1 + box.GradientNorm) * Math.Sqrt(6) / b.Delta;
            Assert.True(b.GradientLipschitz <= rounding, $"δ = {b.Delta}: Box S {b.GradientLipschitz:R} > rounding {rounding:R}");
            Assert.True(b.Sensitivity <= rounding * box.WeightNorm * box.WeightNorm / box.Loss, $"δ = {b.Delta}: Box Ŝ {b.Sensitivity:R}");
            // DeepZ: the b₁-component of the gradient alone moves by |∂²F/∂b₁²|·δ to first order; the whole gradient by at least that.
            double a = 2 * TinyNetworks.X0 - 0.9, r = 2 * TinyNetworks.Eps, w2 = 1.5;
            double lower = w2 * (a * a - r * r) / (2 * r) + 0.2;
            double sig = 1 / (1 + Math.Exp(lower)), curvature = sig * (1 - sig) * Math.Pow(w2 * a / r, 2) - sig * w2 / r;
            Assert.True(z.GradientLipschitz >= 0.9 * Math.Abs(curvature) && Math.Abs(curvature) > 10 * rounding, $"δ = {z.Delta}: S {z.GradientLipschitz:R}, |∂²F/∂b₁²| {Math.Abs(curvature):R}");
        }
        Assert.Throws<InvalidOperationException>(() => Sensitivity.Measure(net, x, y, Domain.TriangleLp, TinyNetworks.Eps, options));
        Assert.Equal(before, TinyNetworks.Bits(net));
    }

    [Theory]
    [InlineData(2, 1.0)]
    [InlineData(3, 0.01)]
    [InlineData(4, 250.0)]
    public void Sensitivity_of_c_theta_to_the_k_is_k_times_k_minus_1_for_every_c(int k, double c)
    {
        // L(θ) = c·θᵏ in one dimension at θ = 1.3, direction d = θ (relative steps): Ŝ → k(k − 1) as δ → 0, whatever c.
        double theta = 1.3, delta = 1e-4;
        double L(double t) => c * Math.Pow(t, k);
        double G(double t) => c * k * Math.Pow(t, k - 1);
        static ParameterDirection One(double v) => new(["θ"], [[(float)v]]);
        var d = One(theta);
        double shiftedTheta = theta + delta * (float)theta;
        var report = Sensitivity.FromEvaluations("c·θᵏ", theta, (L(theta), One(G(theta))), [d], [delta],
            [[(L(shiftedTheta), One(G(shiftedTheta)))]]);
        var at = report.PerDelta.Single();
        // Finite difference: O(δ·k) relative bias; gradients pass through float32 (ParameterDirection): ~1e−7/δ relative error.
        Assert.True(Math.Abs(at.Sensitivity - k * (k - 1)) <= 1e-2 * k * (k - 1), $"k = {k}, c = {c}: Ŝ = {at.Sensitivity:R}, expected {k * (k - 1)}");
        Assert.True(Math.Abs(at.LossElasticity - k) <= 1e-3 * k * k, $"k = {k}, c = {c}: elasticity {at.LossElasticity:R}, expected {k}");
    }

    static double Norm(double[] v) => Math.Sqrt(v.Sum(e => e * e));
}
