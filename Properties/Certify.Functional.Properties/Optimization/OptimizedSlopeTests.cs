using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Properties.Laws;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Relaxations.DeepPoly;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Verification.Optimization;
using Certify.Functional.Relaxations.Shared;
using Certify.Functional.Verification;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Optimization;

/// <summary>Training through the optimised bounds, determinism, the optimiser's progress, and convergence on one hidden
/// layer (against the best vertex of [0, 1]^n and, for 1-D inputs, the exact triangle optimum).</summary>
[Collection(LawCollection.Name)]
public sealed class OptimizedSlopeTests : TorchTest
{
    // Dense(d) → Dense(n) → ReLU → … → Dense(classes), PyTorch default init from the seed, weights × scale.
    static InterpretedNetwork Net(int seed, int inputs, int[] hidden, int classes, double scale = 1)
    {
        manual_seed(seed);
        LayerDeclaration[] layers = [.. hidden.SelectMany(w => new LayerDeclaration[] { new DenseDeclaration(w), new ReluDeclaration() }), new DenseDeclaration(classes)];
        var net = new InterpretedNetwork(NetworkDescription.Declared("opt", Shape.Of(inputs), layers));
        using (no_grad()) foreach (var p in net.parameters()) p.mul_(scale);
        return net;
    }

    static (Tensor X, Tensor Y) Batch(int seed, int batch, int inputs, int classes)
    {
        using var g = new Generator((ulong)seed);
        return (rand([batch, inputs], generator: g), randint(classes, [batch], generator: g));
    }

    [Theory]
    [InlineData("alpha-crown:steps=3")]
    [InlineData("alpha-crown:steps=2,intermediate=1")]
    [InlineData("iclr2021")]
    public void A_training_step_moves_the_parameters_and_the_slopes_need_no_parameter_gradient(string name)
    {
        using var scope = NewDisposeScope();
        using var net = Net(1, 5, [8, 8], 4);
        var (x, y) = Batch(2, 6, 5, 4);
        var before = net.parameters().Select(p => p.detach().clone()).ToArray();
        var bounds = Verifier.Bounds(net, x, y, 0.1, SoundnessLaw.Parse(name));
        Assert.All(net.parameters(), p => Assert.True(p.grad is null || p.grad.abs().sum().item<float>() == 0, "the slope optimisation left a gradient on a parameter"));
        var loss = SpecLoss.Loss(bounds, y);
        Assert.True(loss.requires_grad, "the loss depends on the network's parameters");
        using var sgd = TorchSharp.torch.optim.SGD(net.parameters(), 0.5);
        sgd.zero_grad();
        loss.backward();
        Assert.All(net.parameters(), p => Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0, "a parameter received no gradient"));
        sgd.step();
        Assert.True(net.parameters().Zip(before).All(pair => !Same(pair.Item1.detach(), pair.Item2)), "every parameter moved");
    }

    [Fact]
    public void Iclr2021_is_deterministic_in_its_seed()
    {
        using var scope = NewDisposeScope();
        using var net = Net(3, 6, [10, 10], 5, scale: 2);
        var (x, y) = Batch(4, 12, 6, 5);
        using var _ = no_grad();
        Tensor Run(string name) => Verifier.Bounds(net, x, y, 0.2, SoundnessLaw.Parse(name)).DiffLower;
        Assert.True(Same(Run("iclr2021"), Run("iclr2021")), "same (default) seed, different bounds");
        Assert.True(Same(Run("iclr2021:seed=5"), Run("iclr2021:seed=5")), "same seed, different bounds");
        Assert.False(Same(Run("iclr2021:seed=5"), Run("iclr2021:seed=6")), "the seed has no effect");
    }

    [Fact]
    public void The_optimiser_improves_on_average_and_never_ends_below_its_start()
    {
        using var scope = NewDisposeScope();
        double gain = 0;
        for (int seed = 0; seed < 6; seed++)
        {
            using var net = Net(10 + seed, 4, [12, 12], 5, scale: 2);
            var (x, y) = Batch(20 + seed, 16, 4, 5);
            var (lo, hi) = InputRegion.Corners(x, 0.15);
            using var _ = no_grad();
            var r = AlphaCrown.Propagate(net, lo, hi, new AlphaCrownOptions(Steps: 20), Spec.Diffs(y, 5));
            Assert.True(r.Lower.ge(r.InitialLower).all().item<bool>(), "best-so-far below the starting point");
            gain += (r.Lower - r.InitialLower).mean().item<float>();
        }
        Assert.True(gain > 0, $"20 steps gained nothing on average over 6 networks ({gain})");
    }

    /// <summary>One hidden layer, fixed (exact) intermediate bounds: the bound is concave in α, and every vertex of [0, 1]^n
    /// is a feasible α, so after enough steps α-CROWN must reach at least the best vertex (within 1e-3) in every spec row.
    /// (It may do strictly better: the maximiser can be interior, e.g. relu(x) − chord(x) on [−1, 1] is best at α = ½.)</summary>
    [Theory]
    [InlineData(30, 3, 8)]
    [InlineData(31, 5, 6)]
    [InlineData(32, 2, 8)]
    public void Reaches_the_best_vertex_on_one_hidden_layer(int seed, int inputs, int hidden)
    {
        using var scope = NewDisposeScope();
        using var net = Net(seed, inputs, [hidden], 4, scale: 2);
        var (x, y) = Batch(seed + 100, 8, inputs, 4);
        var (lo, hi) = InputRegion.Corners(x, 0.3);
        var spec = Spec.Diffs(y, 4);
        using var _ = no_grad();
        var crown = CrownBackSubstitution.Propagate(LayerWalk.For(net), lo, hi, new CrownOptions(), spec);
        var pre = crown.PreActivation[0];
        long crossing = pre.Lower.lt(0).logical_and(pre.Upper.gt(0)).sum(1).max().item<long>();
        Assert.True(crossing >= 2, $"the case should have crossing neurons (max {crossing} per example)");
        Tensor best = crown.Lower;
        for (long v = 0; v < 1L << hidden; v++)
        {
            var bits = tensor(Enumerable.Range(0, hidden).Select(j => (float)((v >> j) & 1)).ToArray()).unsqueeze(0).expand(8, hidden);
            best = best.maximum(CrownBackSubstitution.Propagate(LayerWalk.For(net), lo, hi, new CrownOptions(), spec, lowerSlopes: [bits]).Lower);
        }
        var alpha = AlphaCrown.Propagate(net, lo, hi, new AlphaCrownOptions(Steps: 300, LearningRate: 0.1, Decay: 0.985), spec).Lower;
        var shortfall = (best - alpha).max().item<float>();
        Assert.True(shortfall <= 1e-3, $"α-CROWN stops {shortfall} below the best vertex");
    }

    /// <summary>1-D input, one hidden layer: the triangle LP of row c is min over x ∈ [lo, hi] of
    /// Σ c⁺·relu(h(x)) + c⁻·upper(h(x)) + b, convex and piecewise linear with kinks where some h_j(x) = 0, so its exact
    /// value is the minimum over those kinks and the ends (float64). α-CROWN (fixed intermediate bounds = the exact
    /// first-layer bounds) must come within 1e-3 of it from below.</summary>
    [Theory]
    [InlineData(40)]
    [InlineData(41)]
    public void Converges_to_the_exact_triangle_optimum_in_one_dimension(int seed)
    {
        using var scope = NewDisposeScope();
        const int hidden = 8, classes = 3, batch = 6;
        using var net = Net(seed, 1, [hidden], classes, scale: 3);
        var (x, y) = Batch(seed + 200, batch, 1, classes);
        var (lo, hi) = InputRegion.Corners(x, 0.4);
        var spec = Spec.Diffs(y, classes);
        Tensor alpha;
        using (no_grad()) alpha = AlphaCrown.Propagate(net, lo, hi, new AlphaCrownOptions(Steps: 300, LearningRate: 0.1, Decay: 0.985), spec).Lower;

        var (w1, b1) = (net.DenseAt(0).Weight.detach().to(float64).flatten(), net.DenseAt(0).Bias.detach().to(float64));   // [n], [n]
        var merged = SpecLayer.Merge(net.DenseAt(2), spec);
        var (c, cb) = (merged.Weight.detach().to(float64), merged.Bias.detach().to(float64));                             // [B, K−1, n], [B, K−1]
        var (l64, h64) = (lo.to(float64), hi.to(float64));                                                                 // [B, 1]
        var (za, zb) = (l64 * w1 + b1, h64 * w1 + b1);                                                                     // h at both ends [B, n]
        var (l, u) = (za.minimum(zb), za.maximum(zb));
        var kinks = (-b1 / w1).unsqueeze(0).expand(batch, hidden);
        var points = cat([l64, h64, kinks.maximum(l64).minimum(h64)], 1);                                                  // [B, P]
        var h = points.unsqueeze(2) * w1 + b1;                                                                             // [B, P, n]
        var (lu, uu) = (l.unsqueeze(1), u.unsqueeze(1));
        var upper = where(uu.lt(0), zeros_like(h), where(lu.gt(0), h, uu / (uu - lu) * (h - lu)));
        var cPlus = c.clamp_min(0).unsqueeze(1);                                                                           // [B, 1, K−1, n]
        var cMinus = c.clamp_max(0).unsqueeze(1);
        var g = (cPlus * h.relu().unsqueeze(2) + cMinus * upper.unsqueeze(2)).sum(3) + cb.unsqueeze(1);                   // [B, P, K−1]
        var exact = g.min(1).values;
        var a64 = alpha.to(float64);
        Assert.True((a64 - exact).max().item<double>() <= 1e-4 * (1 + exact.abs().max().item<double>()), "α-CROWN above the exact optimum: unsound");
        var gap = (exact - a64).max().item<double>();
        Assert.True(gap <= 1e-3, $"α-CROWN stops {gap} below the exact triangle optimum");
    }

    [Theory]
    [InlineData("alpha-crown", 20, 0.1, false, false)]
    [InlineData("alpha-crown:steps=5,lr=0.2,intermediate=1", 5, 0.2, true, false)]
    [InlineData("ALPHA-CROWN:signed=1,steps=0", 0, 0.1, false, true)]
    public void Parses_alpha_crown_options(string text, int steps, double lr, bool intermediate, bool signed)
    {
        var d = Assert.IsType<AlphaCrownDomain>(SoundnessLaw.Parse(text));
        Assert.Equal((steps, lr, intermediate, signed), (d.Options.Steps, d.Options.LearningRate, d.Options.Intermediate, d.Options.Signed));
        Assert.Equal(text, d.Name);
    }

    [Theory]
    [InlineData("alpha-crown:steps=-1")]
    [InlineData("alpha-crown:steps=2.5")]
    [InlineData("alpha-crown:lr=0")]
    [InlineData("alpha-crown:intermediate=2")]
    [InlineData("alpha-crown:gamma=1")]
    [InlineData("alpha-crown:decay=1.5")]
    [InlineData("iclr2021:seed=-3")]
    [InlineData("iclr2021:steps=1")]
    public void Rejects_bad_options(string text) => Assert.True(Domain.Parse(text).IsFail, text);

    [Fact]
    public void Iclr2021_seed_option_and_domain_lists_with_options()
    {
        Assert.Equal(7UL, Assert.IsType<Iclr2021Domain>(SoundnessLaw.Parse("iclr2021:seed=7")).Seed);
        Assert.Equal(["alpha-crown:steps=5,lr=0.1", "iclr2021", "box:round=0.5,per-unit=10", "deeppoly"],
            Domain.SplitList("alpha-crown:steps=5,lr=0.1, iclr2021,box:round=0.5,per-unit=10,deeppoly"));
    }
}
