using Certify.Functional.Data;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Training;
using Certify.Functional.Verification;
using Certify.Functional.Samples;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Pipeline;

/// <summary>
/// Gaussian loss smoothing (Balauca et al. 2024): the PGPE and RGS estimates target ∇L_σ(θ) = ∇E L(θ + ε), checked
/// against closed forms within 4 standard errors (computed from the per-sample estimates, pinned generator seeds), and
/// both put the weights back bit for bit.
/// </summary>
public class SmoothingTests : TorchTest
{
    const int Draws = 2000;

    // m one-sample estimates from one generator stream, and the m-sample estimate from a fresh generator with the same
    // seed: the same noise, so the big estimate must be the mean of the small ones (up to summation order).
    static (double[] Mean, double[] StandardError, double[] Whole) Estimates(
        Func<IReadOnlyList<Tensor>, Func<Tensor>, int, Generator, double[]> estimator, double[] theta, Func<Tensor, Tensor> loss, ulong seed)
    {
        using var scope = NewDisposeScope();
        var parameter = tensor(theta, dtype: float64).requires_grad_(true);
        var samples = new List<double[]>();
        using (var generator = new Generator(seed))
            for (int i = 0; i < Draws; i++)
            {
                estimator([parameter], () => loss(parameter), 1, generator);
                samples.Add(parameter.grad!.data<double>().ToArray());
            }
        using (var generator = new Generator(seed)) estimator([parameter], () => loss(parameter), Draws, generator);
        var whole = parameter.grad!.data<double>().ToArray();
        var mean = Enumerable.Range(0, theta.Length).Select(j => samples.Average(s => s[j])).ToArray();
        var se = Enumerable.Range(0, theta.Length)
            .Select(j => Math.Sqrt(samples.Sum(s => (s[j] - mean[j]) * (s[j] - mean[j])) / (Draws - 1) / Draws)).ToArray();
        return (mean, se, whole);
    }

    static void Within4StandardErrors(double[] truth, (double[] Mean, double[] StandardError, double[] Whole) e, string what)
    {
        for (int j = 0; j < truth.Length; j++)
        {
            Assert.True(Math.Abs(e.Mean[j] - truth[j]) <= 4 * e.StandardError[j],
                $"{what}[{j}]: mean {e.Mean[j]:G6} ± {e.StandardError[j]:G3} (SE), closed form {truth[j]:G6}");
            Assert.True(Math.Abs(e.Whole[j] - e.Mean[j]) <= 1e-9 * (1 + Math.Abs(e.Mean[j])),
                $"{what}[{j}]: the {Draws}-sample estimate {e.Whole[j]:G10} is not the mean {e.Mean[j]:G10} of the one-sample estimates");
        }
    }

    static readonly double[] Theta = [0.7, -1.3, 0.2, 2.1, -0.4, 1.0];
    static readonly double[] Target = [0.5, 0.5, -1.0, 1.5, 0.3, -0.6];

    // L(θ) = ½‖θ − a‖²: L_σ(θ) = L(θ) + dσ²/2, so ∇L_σ = θ − a for every σ.
    static Tensor Quadratic(Tensor theta) => 0.5 * (theta - tensor(Target, dtype: float64)).square().sum();
    static double[] QuadraticGradient => Theta.Zip(Target, (t, a) => t - a).ToArray();

    [Fact]
    public void Pgpe_matches_the_smoothed_gradient_of_a_quadratic() =>
        Within4StandardErrors(QuadraticGradient, Estimates(PgpeQuadratic, Theta, Quadratic, 11), "pgpe quadratic");

    [Fact]
    public void Rgs_matches_the_smoothed_gradient_of_a_quadratic() =>
        Within4StandardErrors(QuadraticGradient, Estimates(WithSigma(Rgs.Gradient, 0.3), Theta, Quadratic, 12), "rgs quadratic");

    static Func<IReadOnlyList<Tensor>, Func<Tensor>, int, Generator, double[]> WithSigma(
        Func<IReadOnlyList<Tensor>, Func<Tensor>, double, int, Generator, double[]> estimator, double sigma) =>
        (p, l, n, g) => estimator(p, l, sigma, n, g);

    static readonly Func<IReadOnlyList<Tensor>, Func<Tensor>, int, Generator, double[]> PgpeQuadratic = WithSigma(Pgpe.Gradient, 0.3);

    [Fact]
    public void Pgpe_matches_the_smoothed_gradient_of_a_unit_step()
    {
        // L(θ) = H(θ) has gradient 0 almost everywhere; d/dθ E[H(θ + ε)] = d/dθ Φ(θ/σ) = φ(θ/σ)/σ.
        const double sigma = 0.1;
        double[] theta = [0.05, -0.12, 0.0, 0.15];
        static Tensor Step(Tensor t) => t.gt(0).to_type(ScalarType.Float64).sum();
        var truth = theta.Select(t => Math.Exp(-0.5 * (t / sigma) * (t / sigma)) / Math.Sqrt(2 * Math.PI) / sigma).ToArray();
        var e = Estimates(WithSigma(Pgpe.Gradient, sigma), theta, Step, 13);
        Within4StandardErrors(truth, e, "pgpe step");
        for (int j = 0; j < theta.Length; j++)          // the plain gradient, 0, is ruled out
            Assert.True(e.Mean[j] > 4 * e.StandardError[j], $"step[{j}]: mean {e.Mean[j]:G4} within 4 SE ({e.StandardError[j]:G3}) of 0");
    }

    [Fact]
    public void Rgs_matches_the_smoothed_gradient_of_cos_and_not_the_plain_one()
    {
        // E[cos(θ + ε)] = cos θ·e^{−σ²/2}, so ∇L_σ = −sin θ·e^{−σ²/2}, 12 % below the plain gradient at σ = 0.5.
        const double sigma = 0.5;
        double[] theta = [-1.2, -0.4, 0.3, 1.0, 2.0];
        var truth = theta.Select(t => -Math.Sin(t) * Math.Exp(-sigma * sigma / 2)).ToArray();
        var e = Estimates(WithSigma(Rgs.Gradient, sigma), theta, t => t.cos().sum(), 14);
        Within4StandardErrors(truth, e, "rgs cos");
        Assert.Contains(Enumerable.Range(0, theta.Length), j => Math.Abs(e.Mean[j] + Math.Sin(theta[j])) > 4 * e.StandardError[j]);
    }

    static readonly CatalogEntry FcSmall = NetworkCatalog.Find("FC-SMALL", Shape.Of(1, 28, 28)).Match(e => e, e => throw new Xunit.Sdk.XunitException(e.Message));
    static readonly Dataset Test = DatasetCatalog.Load("mnist", null, Split.Test).Match(d => d, e => throw new Xunit.Sdk.XunitException(e.Message));

    [Theory]
    [InlineData("rgs")]
    [InlineData("pgpe")]
    public void An_estimate_on_a_network_leaves_every_parameter_bit_for_bit_and_a_finite_gradient(string method)
    {
        using var net = FcSmall.Create();
        using var scope = NewDisposeScope();
        var (x, y) = Test.Batch(Enumerable.Range(0, 20).ToArray());
        var deeppoly = Domain.Parse("deeppoly").Match(d => d, e => throw new Xunit.Sdk.XunitException(e.Message));
        var parameters = net.parameters().Cast<Tensor>().ToList();
        var before = parameters.Select(p => p.detach().clone()).ToList();
        Func<Tensor> loss = () => CertifiedLoss.Compute(net, x, y, new LossSettings(deeppoly, 0.1, 0.5, 1) { Penalty = WeightPenalty.L1(1e-5) }).Loss;
        using var generator = new Generator(5);
        var losses = method == "rgs" ? Rgs.Gradient(parameters, loss, 0.05, 3, generator) : Pgpe.Gradient(parameters, loss, 0.05, 3, generator);
        Assert.Equal(method == "rgs" ? 3 : 6, losses.Length);
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        for (int i = 0; i < parameters.Count; i++)
        {
            Assert.True(Same(before[i], parameters[i]), $"{method}: parameter {i} changed");
            Assert.True(parameters[i].grad is { } g && g.isfinite().all().item<bool>() && g.abs().sum().item<float>() > 0, $"{method}: parameter {i} has no gradient");
        }
    }

    [Fact]
    public void A_throwing_loss_still_leaves_the_weights_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        var parameter = tensor(Theta, dtype: float64).requires_grad_(true);
        var before = parameter.detach().clone();
        using var generator = new Generator(6);
        Assert.Throws<InvalidOperationException>(() => Rgs.Gradient([parameter], () => throw new InvalidOperationException("boom"), 0.1, 2, generator));
        Assert.True(Same(before, parameter));
    }

    [Fact]
    public void The_same_seed_draws_the_same_estimate()
    {
        using var scope = NewDisposeScope();
        var parameter = tensor(Theta, dtype: float64).requires_grad_(true);
        Tensor Run(ulong seed)
        {
            using var generator = new Generator(seed);
            PgpeQuadratic([parameter], () => Quadratic(parameter), 4, generator);
            return parameter.grad!.clone();
        }
        var a = Run(7);
        Assert.True(Same(a, Run(7)));
        Assert.False(Same(a, Run(8)));
    }
}
