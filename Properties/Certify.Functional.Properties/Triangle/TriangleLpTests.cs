using Certify.Functional.Layers;
using Certify.Functional.Properties.Laws;
using Certify.Functional.Properties.Relaxations;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Verification.Triangle;
using Certify.Functional.Verification;
using FsCheck.Xunit;
using NetworkCase = Certify.Functional.Properties.Arbitraries.NetworkCase;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Triangle;

/// <summary>The Triangle-LP laws on random small Dense networks; pinned seed.</summary>
[Collection(LawCollection.Name)]
[Properties(Arbitrary = [typeof(TriangleArbitraries)], MaxTest = 200, QuietOnSuccess = true, Replay = "(1123581321,3455891443)")]
public sealed class TriangleLpProperties : TorchTest
{
    /// <summary>Sound at every layer and for the specification; closed-form first layer and skip-stable agree.</summary>
    [Property] public void Triangle_lp_is_sound(NetworkCase c) => TriangleLpLaws.Sound(c);

    /// <summary>Tighter than CROWN (any lower slopes) for the specification and than Box and CROWN per layer.</summary>
    [Property] public void Triangle_lp_is_tighter_than_crown_and_box(NetworkCase c) => TriangleLpLaws.TighterThanCrownAndBox(c);

    /// <summary>Exact when no neuron crosses.</summary>
    [Property] public void Triangle_lp_is_exact_without_crossing_neurons(NetworkCase c) => TriangleLpLaws.ExactWithoutCrossing(c);
}

/// <summary>Golden network, parsing, API and rejection of convolutional networks.</summary>
public sealed class TriangleLpTests : TorchTest
{
    [Fact]
    public void Golden_network_lp_bounds_are_at_least_deeppolys()
    {
        using var scope = NewDisposeScope();
        using var net = GoldenNetwork.Create();
        var (x, y) = (GoldenNetwork.Input(), GoldenNetwork.Label());
        var lp = Verifier.Bounds(net, x, y, GoldenNetwork.Eps, Domain.TriangleLp).DiffLower.to(float64).data<double>().ToArray();
        double[] deeppoly = [-0.55049, -1.48026, -1.1737, 0.05671, -0.7838, -1.60669, -1.03131, 0.16581, 0.11259];
        for (int j = 0; j < deeppoly.Length; j++)
            Assert.True(lp[j] >= deeppoly[j] - 1e-5, $"d_{j}: LP {lp[j]} < deeppoly {deeppoly[j]}");
        foreach (var name in new[] { "deeppoly:0", "deeppoly:lower-tria", "crown-ibp", "zono", "hbox", "box" })
        {
            var other = Verifier.Bounds(net, x, y, GoldenNetwork.Eps, SoundnessLaw.Parse(name)).DiffLower.to(float64).data<double>().ToArray();
            for (int j = 0; j < other.Length; j++)
                Assert.True(lp[j] >= other[j] - 1e-5 * (1 + Math.Abs(other[j])), $"d_{j}: LP {lp[j]} < {name} {other[j]}");
        }
        // Certification agrees with the bounds; the LP proves at least what deeppoly proves.
        Assert.Equal(lp.All(v => v > 0), Verifier.Certify(net, x, y, GoldenNetwork.Eps, Domain.TriangleLp).item<bool>());
    }

    [Fact]
    public void Parses_the_domain_and_its_option()
    {
        Assert.IsType<TriangleLpDomain>(SoundnessLaw.Parse("triangle-lp"));
        var skip = Assert.IsType<TriangleLpDomain>(SoundnessLaw.Parse("triangle-lp:skip-stable=1"));
        Assert.True(skip.Options.SkipStable);
        Assert.False(Domain.TriangleLp.Options.SkipStable);
        Assert.True(Domain.Parse("triangle-lp:skip-stable=2").IsFail);
        Assert.True(Domain.Parse("triangle-lp:gamma=1").IsFail);
        Assert.Contains("triangle-lp", Domain.Names);
    }

    [Fact]
    public void Rejects_convolutional_networks_with_a_clear_message()
    {
        var description = NetworkDescription.Declared("conv", Shape.Of(1, 4, 4),
            new Conv2dDeclaration(2, 3, 1, 0), new ReluDeclaration(), new FlattenDeclaration(), new DenseDeclaration(3));
        Assert.Contains("Conv2d", LpNetwork.Unsupported(description));
        using var scope = NewDisposeScope();
        using var net = new InterpretedNetwork(description);
        var ex = Assert.Throws<ArgumentException>(() => Verifier.Bounds(net, rand(1, 1, 4, 4), tensor(new long[] { 0 }), 0.1, Domain.TriangleLp));
        Assert.Contains("Conv2d", ex.Message);
        Assert.Contains("deeppoly", ex.Message);
    }

    [Fact]
    public void Progress_reports_every_neuron_and_the_specification()
    {
        using var scope = NewDisposeScope();
        using var net = GoldenNetwork.Create();
        var reports = new List<TriangleLpProgress>();
        var progress = new Collect(reports);
        var examples = TriangleLp.Analyze(net, GoldenNetwork.Input(), GoldenNetwork.Label(), GoldenNetwork.Eps, progress);
        // Layer 1 in closed form; layer 2: 5 neurons (2 LPs each unless CROWN skipping); specification: 9 LPs; then
        // the example's end (specification 9/9, every LP counted).
        Assert.Equal(5 + 9 + 1, reports.Count);
        Assert.Equal(examples[0].Lps, reports[^1].Lps);
        Assert.Equal(2 * 5 + 9, examples[0].Lps);
        Assert.Equal(0, examples[0].Fallbacks);
        Assert.All(reports, r => Assert.Equal(1, r.Examples));
        Assert.Contains("specification", reports[^1].ToString());
    }

    /// <summary>A solve that stops short (here: the first attempt may not iterate at all) is retried from scratch with
    /// GLOP's defaults, which reach the same optima; nothing falls back to interval bounds.</summary>
    [Fact]
    public void Stopped_solves_are_retried_with_glop_defaults()
    {
        using var scope = NewDisposeScope();
        using var net = GoldenNetwork.Create();
        var exact = TriangleLp.Analyze(net, GoldenNetwork.Input(), GoldenNetwork.Label(), GoldenNetwork.Eps)[0];
        var stalled = TriangleLp.Analyze(net, GoldenNetwork.Input(), GoldenNetwork.Label(), GoldenNetwork.Eps,
            options: TriangleLpOptions.Exact with { GlopParameters = "use_preprocessing: false, use_dual_simplex: true, max_number_of_iterations: 0" })[0];
        Assert.Equal(0, stalled.Fallbacks);
        for (int j = 0; j < exact.DiffLower!.Length; j++) Assert.Equal(exact.DiffLower[j], stalled.DiffLower![j], 1e-7);
    }

    /// <summary>When the retry stops short too, the neuron keeps its interval bound: counted per example and in the
    /// progress, never tighter than the LP (sound), and the progress line says so.</summary>
    [Fact]
    public void Solves_that_stop_twice_fall_back_to_interval_bounds_and_are_counted()
    {
        using var scope = NewDisposeScope();
        using var net = GoldenNetwork.Create();
        const string none = "use_preprocessing: false, use_dual_simplex: true, max_number_of_iterations: 0";
        var exact = TriangleLp.Analyze(net, GoldenNetwork.Input(), GoldenNetwork.Label(), GoldenNetwork.Eps)[0];
        var reports = new List<TriangleLpProgress>();
        var fallen = TriangleLp.Analyze(net, GoldenNetwork.Input(), GoldenNetwork.Label(), GoldenNetwork.Eps, new Collect(reports),
            TriangleLpOptions.Exact with { GlopParameters = none, RetryGlopParameters = none })[0];
        Assert.True(fallen.Fallbacks > 0, "every solve stops before its first iteration");
        Assert.Equal(fallen.Fallbacks, reports[^1].Fallbacks);
        Assert.Contains("interval fallbacks", reports[^1].ToString());
        for (int j = 0; j < exact.DiffLower!.Length; j++) Assert.True(fallen.DiffLower![j] <= exact.DiffLower[j] + 1e-9, $"diff {j}: fallback above the LP");
    }

    sealed class Collect(List<TriangleLpProgress> into) : IProgress<TriangleLpProgress>
    {
        public void Report(TriangleLpProgress value) => into.Add(value);
    }
}
