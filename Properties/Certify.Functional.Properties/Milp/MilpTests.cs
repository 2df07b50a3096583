using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;
using Certify.Functional.Layers;
using Certify.Functional.Properties.Laws;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Verification;
using Certify.Functional.Verification.Milp;
using Certify.Functional.Verification.Triangle;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Milp;

/// <summary>The MILP law (<see cref="MilpLaw"/>) on 200 seeded random networks, and the MILP on hand-computed cases.</summary>
[Collection(LawCollection.Name)]
public sealed class MilpTests(ITestOutputHelper log) : TorchTest
{
    /// <summary>Cases of the law.</summary>
    public const int Cases = 200;

    [Fact]
    public void Milp_minimum_is_attained_and_bounds_every_relaxation()
    {
        var clock = Stopwatch.StartNew();
        var outcomes = Enumerable.Range(0, Cases).Select(i => MilpLaw.Holds(MilpCase.Draw(i))).ToList();
        int neurons = outcomes.Sum(o => o.Neurons), unstable = outcomes.Sum(o => o.Unstable);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Cases} cases in {clock.Elapsed.TotalSeconds:F1} s; unstable neurons {unstable}/{neurons} ({100.0 * unstable / neurons:F0} %); " +
            $"MILP median {outcomes.Select(o => o.Milliseconds).Order().ElementAt(Cases / 2):F1} ms, max {outcomes.Max(o => o.Milliseconds):F1} ms; " +
            $"max |attained − objective| / τ {outcomes.Max(o => o.Error):G3}"));
        foreach (var name in outcomes[0].Below.Keys)
            log.WriteLine($"{name}: strictly below the minimum in {outcomes.Count(o => o.Below[name])}/{Cases}, equal in {outcomes.Count(o => !o.Below[name])}");
        foreach (var (k, v) in MilpLaw.Prof) log.WriteLine($"{k} {v:F2} s");
        Assert.True(unstable >= neurons / 3, $"only {unstable} of {neurons} neurons unstable: the law would be weak");
        Assert.True(outcomes.Count(o => o.Below["box"]) >= Cases / 2, "box is rarely loose: the cases are too easy");
    }

    /// <summary>The law can fail: every relaxation bound raised by 0.1 is caught on most cases (some relaxation is
    /// tight, or within 0.1, there).</summary>
    [Fact]
    public void Milp_law_catches_a_bound_raised_by_a_tenth()
    {
        int caught = 0;
        for (int i = 0; i < 20; i++)
        {
            try { MilpLaw.Holds(MilpCase.Draw(i), shift: 0.1); }
            catch (Xunit.Sdk.XunitException e) when (e.Message.Contains("> the MILP minimum")) { caught++; }
        }
        Assert.True(caught >= 15, $"only {caught} of 20 cases caught a bound raised by 0.1");
    }

    // f(t) = relu(t) + 2·relu(0.5 − t) − 1 over t ∈ [lo, hi]; hidden pre-activations t and −t − 0.5 in a second output.
    static InterpretedNetwork Tiny()
    {
        var net = new InterpretedNetwork(NetworkDescription.Declared("tiny", Shape.Of(1),
            new DenseDeclaration(3), new ReluDeclaration(), new DenseDeclaration(2)));
        using (no_grad())
        {
            net.DenseAt(0).Weight.copy_(tensor(new float[] { 1, -1, -1 }).view(3, 1));
            net.DenseAt(0).Bias.copy_(tensor(new float[] { 0, 0.5f, -0.5f }));
            net.DenseAt(2).Weight.copy_(tensor(new float[] { 1, 2, 0, 0, 0, 1 }).view(2, 3));
            net.DenseAt(2).Bias.copy_(tensor(new float[] { -1, 0 }));
        }
        return net;
    }

    [Fact]
    public void Tiny_network_minimum_is_the_hand_computed_one()
    {
        using var scope = NewDisposeScope();
        using var net = Tiny();
        var lp = LpNetwork.From(net);
        // t ∈ [−1, 2]: −t on [0, 0.5], t − 1 above, −2t below: minimum −0.5 at t = 0.5, both neurons unstable.
        foreach (var solver in new[] { "SCIP", "CP_SAT" })
        {
            var r = ExactMilp.Minimize(lp, [-1], [2], [1, 0], options: new MilpOptions(solver));
            Assert.True(r.Status == MilpStatus.Optimal, $"{solver}: {r}");
            Assert.Equal(-0.5, r.Objective, 1e-5);
            Assert.Equal(0.5, r.Input![0], 1e-4);
            Assert.Equal(-0.5, r.Attained, 1e-4);
            Assert.True(r.LowerBound <= r.Objective && r.LowerBound >= -0.5 - 1e-5, $"{solver}: lower bound {r.LowerBound}");
        }
        Assert.Equal(3, ExactMilp.Minimize(lp, [-1], [2], [1, 0]).Binaries);
        // A constant added; the row of the second output, relu(−t − 0.5), is 0 at best.
        Assert.Equal(1.5, ExactMilp.Minimize(lp, [-1], [2], [1, 0], constant: 2).Objective, 1e-5);
        Assert.Equal(0, ExactMilp.Minimize(lp, [-1], [2], [0, 1]).Objective, 1e-6);
        // Split: neuron 0 (t) inactive → t ≤ 0, minimum −2t at t = 0: 0; neuron 1 inactive → t ≥ 0.5: t − 1 ≥ −0.5.
        var inactive = ExactMilp.Minimize(lp, [-1], [2], [1, 0], splits: [[-1, 0, 0]]);
        Assert.Equal(MilpStatus.Optimal, inactive.Status);
        Assert.Equal(0, inactive.Objective, 1e-5);
        Assert.Equal(-0.5, ExactMilp.Minimize(lp, [-1], [2], [1, 0], splits: [[0, -1, 0]]).Objective, 1e-5);
        Assert.Equal(0, ExactMilp.Minimize(lp, [-1], [2], [1, 0], splits: [[1, 0, 0]], options: null).Binaries < 3 ? 0 : 1);
    }

    [Fact]
    public void Contradictory_splits_are_infeasible()
    {
        using var scope = NewDisposeScope();
        using var net = Tiny();
        var lp = LpNetwork.From(net);
        // t ≥ 0 and −t − 0.5 ≥ 0: both unstable over [−1, 1], infeasible together (proved by the solver).
        foreach (var solver in new[] { "SCIP", "CP_SAT" })
        {
            var r = ExactMilp.Minimize(lp, [-1], [1], [1, 0], splits: [[1, 0, 1]], options: new MilpOptions(solver));
            Assert.Equal(MilpStatus.Infeasible, r.Status);
            Assert.Equal(double.PositiveInfinity, r.LowerBound);
            Assert.Null(r.Input);
        }
        // t active over [−1, −0.2]: contradicted by the bounds, no solve.
        var bounded = ExactMilp.Minimize(lp, [-1], [-0.2], [1, 0], splits: [[1, 0, 0]]);
        Assert.Equal(MilpStatus.Infeasible, bounded.Status);
        Assert.Equal(0, bounded.Nodes);
    }

    [Fact]
    public void Rejects_mismatched_shapes_and_unknown_solvers()
    {
        using var scope = NewDisposeScope();
        using var net = Tiny();
        var lp = LpNetwork.From(net);
        Assert.Throws<ArgumentException>(() => ExactMilp.Minimize(lp, [-1, 0], [1, 1], [1, 0]));
        Assert.Throws<ArgumentException>(() => ExactMilp.Minimize(lp, [-1], [1], [1, 0, 0]));
        Assert.Throws<ArgumentException>(() => ExactMilp.Minimize(lp, [-1], [1], [1, 0], splits: [[1, 0]]));
        Assert.Contains("GUROBI", Assert.Throws<ArgumentException>(() => ExactMilp.Minimize(lp, [-1], [1], [1, 0], options: new MilpOptions("GUROBI"))).Message);
    }
}
