using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Verification;
using Certify.Functional.Verification.Bab;
using Certify.Functional.Verification.Domains;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Bab;

/// <summary>
/// Branch and bound must never prove what a point refutes. Small random fully connected networks (seeded), a random box
/// and a random clause c·f(x) ≤ d whose bound d is the value at a random point x₀ of the box: x₀ is a counterexample by
/// construction, so the run may end falsified, unknown or out of time, never verified, and its proven lower bound of
/// c·f(x) − d over the box must be ≤ 0 (the value at x₀). Three inputs exercise input splits, twenty-four ReLU splits
/// (with β-CROWN multipliers and filtered smart branching). A falsified run's point must lie in the box and satisfy the
/// clause in float64.
/// </summary>
public sealed class BranchAndBoundTests(ITestOutputHelper output) : TorchTest
{
    internal static NetworkModule RandomNetwork(int seed, int inputs, int[] hidden, int outputs, double scale)
    {
        var layers = new List<LayerDeclaration>();
        foreach (int h in hidden) { layers.Add(new DenseDeclaration(h)); layers.Add(new ReluDeclaration()); }
        layers.Add(new DenseDeclaration(outputs));
        manual_seed(seed);
        var net = new InterpretedNetwork(NetworkDescription.Declared("bab", Shape.Of(inputs), [.. layers]));
        using (no_grad())
            foreach (var p in net.parameters()) p.mul_(scale);
        var copy = FinalCheck.Float64Copy(net, CPU);
        net.Dispose();
        return copy;
    }

    [Theory]
    [InlineData(3, 40)]
    [InlineData(24, 40)]
    public void Never_verifies_a_clause_that_a_point_of_the_box_satisfies(int inputs, int cases)
    {
        int falsified = 0, other = 0;
        for (int seed = 0; seed < cases; seed++)
        {
            using var scope = NewDisposeScope();
            var g = new Generator((ulong)(1000 + seed));
            int[] hidden = seed % 2 == 0 ? [8, 8] : [10, 6, 6];
            int outputs = 2 + seed % 3;
            using var net = RandomNetwork(seed, inputs, hidden, outputs, scale: 1 + seed % 3);
            var centre = rand([1, inputs], dtype: ScalarType.Float64, generator: g) * 2 - 1;
            var radius = rand([1, inputs], dtype: ScalarType.Float64, generator: g) * 0.5 + 0.05;
            var (lo, hi) = (centre - radius, centre + radius);
            var x0 = lo + rand([1, inputs], dtype: ScalarType.Float64, generator: g) * (hi - lo);
            int m = 1 + seed % 2;
            var rows = randn([m, outputs], dtype: ScalarType.Float64, generator: g);
            Tensor Values(Tensor x) { using (no_grad()) return matmul(net.forward(x), rows.t())[0]; }
            var d = Values(x0);                                                             // x₀ satisfies every row exactly
            var options = BabOptions.Default with { Batch = 16, InputBatch = 64 };
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var result = BranchAndBound.Run(net, lo, hi, rows, d, options, () => clock.Elapsed.TotalSeconds > 1.5);
            output.WriteLine($"seed {seed}: {result.Outcome}, bound {result.Bound:G4}, {result.Subproblems} subproblems, {result.Split}");
            Assert.NotEqual(BabOutcome.Verified, result.Outcome);
            Assert.True(result.Bound <= 1e-9, $"seed {seed}: proven lower bound {result.Bound:R} of c·f(x) − d over the box, but it is 0 at x₀.");
            Assert.Equal(inputs <= options.InputSplitInputs ? BabSplit.Input : BabSplit.Relu, result.Split);
            if (result.Outcome == BabOutcome.Falsified)
            {
                falsified++;
                var x = tensor(result.Counterexample!, dtype: ScalarType.Float64).view(1, inputs);
                Assert.True(x.ge(lo).all().item<bool>() && x.le(hi).all().item<bool>(), $"seed {seed}: the counterexample lies outside the box.");
                Assert.True((Values(x) - d).le(0).all().item<bool>(), $"seed {seed}: the counterexample does not satisfy the clause.");
            }
            else other++;
        }
        output.WriteLine($"{falsified} falsified, {other} other");
        Assert.True(falsified > cases / 2, $"only {falsified} of {cases} clauses with a known counterexample were falsified");
    }

    /// <summary>Small networks where the MILP gives the truth (the MILP law's cases): with the clause's bound d a margin δ
    /// below the exact minimum, branch and bound proves it (input splits are complete: δ > 0 is reached after finitely many
    /// halvings; a budget of work, not time, so the test is the same on any machine), under ReLU splits it never claims a
    /// counterexample; with d a margin above the minimum, where the MILP's minimiser is a counterexample, neither proves it.</summary>
    [Fact]
    public void Decides_small_networks_as_the_exact_milp_says()
    {
        int proved = 0, reluProved = 0;
        for (int i = 0; i < 30; i++)
        {
            using var scope = NewDisposeScope();
            var m = Certify.Functional.Properties.Milp.MilpCase.Draw(i);
            using var net = m.Case.CreateNetwork();
            using var net64 = FinalCheck.Float64Copy(net, CPU);
            var lp = Certify.Functional.Verification.Triangle.LpNetwork.From(net64);
            var milp = Certify.Functional.Verification.Milp.ExactMilp.Minimize(lp, m.Lower, m.Upper, m.Row);
            Assert.Equal(Certify.Functional.Verification.Milp.MilpStatus.Optimal, milp.Status);
            double delta = 0.05 * (1 + Math.Abs(milp.Objective));
            var lo = tensor(m.Lower, dtype: ScalarType.Float64).unsqueeze(0);
            var hi = tensor(m.Upper, dtype: ScalarType.Float64).unsqueeze(0);
            var row = tensor(m.Row, dtype: ScalarType.Float64).unsqueeze(0);
            BabResult Run(double d, BabOptions o) => BranchAndBound.Run(net64, lo, hi, row, tensor(new[] { d }, dtype: ScalarType.Float64), o, () => false);
            var input = BabOptions.Default with { RootSteps = 5, AlphaSteps = 5, MaxSubproblems = 20_000, InputBatch = 32 };
            var relu = input with { InputSplitInputs = 0, Batch = 16, MaxSubproblems = 2_000 };

            var below = Run(milp.Objective - delta, input);
            output.WriteLine($"case {i}: minimum {milp.Objective:G6}, d = min − δ: {below.Outcome} ({below.Subproblems} subproblems)");
            Assert.Equal(BabOutcome.Verified, below.Outcome);
            proved++;
            var reluBelow = Run(milp.Objective - delta, relu);
            Assert.NotEqual(BabOutcome.Falsified, reluBelow.Outcome);
            if (reluBelow.Outcome == BabOutcome.Verified) reluProved++;
            double tau = Certify.Functional.Properties.Milp.MilpLaw.Tau(lp, m, milp.Objective);
            foreach (var (o, name) in new[] { (input, "input"), (relu, "relu") })
            {
                var above = Run(milp.Objective + delta, o);
                Assert.NotEqual(BabOutcome.Verified, above.Outcome);
                Assert.True(above.Bound <= -delta + tau,
                    $"case {i}, {name} splits: proven lower bound {above.Bound:R} of c·f(x) − d, but its minimum is −δ = {-delta:R} (τ {tau:G3}); {above.Outcome}, {above.Subproblems} subproblems");
            }
        }
        output.WriteLine($"input splits proved {proved}/30, ReLU splits {reluProved}/30");
    }

    [Fact]
    public void Bab_domain_options_parse_and_bad_ones_fail()
    {
        var parsed = Domain.Parse("bab:time=5,steps=10,beta=0,batch=8,candidates=2").Match(d => (BabDomain)d, e => throw new InvalidOperationException(e.Message));
        Assert.Equal(5, parsed.Seconds);
        Assert.Equal(10, parsed.Options.AlphaSteps);
        Assert.False(parsed.Options.Beta);
        Assert.Equal(8, parsed.Options.Batch);
        Assert.Equal(2, parsed.Options.Candidates);
        Assert.Equal(BabDomain.DefaultSeconds, Domain.Parse("bab").Match(d => ((BabDomain)d).Seconds, _ => 0));
        Assert.False(Domain.Parse("bab:warm=0,subproblems=100").Match(d => ((BabDomain)d).Options.WarmStart, _ => true));
        Assert.Equal(100, Domain.Parse("bab:warm=0,subproblems=100").Match(d => ((BabDomain)d).Options.MaxSubproblems, _ => 0));
        foreach (var bad in new[] { "bab:time=0", "bab:steps=-1", "bab:beta=2", "bab:warm=2", "bab:frobnicate=1", "bab:batch=1.5", "bab:subproblems=-1" })
            Assert.True(Domain.Parse(bad).IsFail, bad);
        Assert.Equal(["crown", "bab:time=5,steps=10"], Domain.SplitList("crown,bab:time=5,steps=10"));
    }
}
