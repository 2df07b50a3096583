using System.Globalization;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Properties.Laws;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification;
using Certify.Functional.Verification.Bab;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification.Milp;
using Certify.Functional.Verification.Triangle;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Milp;

/// <summary>One case of the MILP law: a small fully connected network and a box and row over it.</summary>
/// <param name="Case">The network (PyTorch default init from its seed, × its scale).</param>
/// <param name="Lower">The box's lower corner (float64).</param>
/// <param name="Upper">The box's upper corner.</param>
/// <param name="Row">The row c over the outputs.</param>
/// <param name="Center">A point in [0, 1]ⁿ and <paramref name="Eps"/>: the clamped ball of the logit-difference check.</param>
/// <param name="Eps">The ball's radius.</param>
/// <param name="Label">The ball's label y (rows e_y − e_j).</param>
public sealed record MilpCase(NetworkCase Case, double[] Lower, double[] Upper, double[] Row, double[] Center, double Eps, int Label)
{
    /// <summary>Case <paramref name="index"/> of the law: 2–6 inputs in a box of centre in [−1, 1] and per-input width in
    /// [0, 2] (some zero), 1–3 hidden layers of 2–8 neurons, 2–4 outputs, parameters × 0.5, 1 or 2, a row of integers in
    /// [−3, 3] (some × 1.25, never all zero); a clamped ball of radius in [0.05, 0.5] around a point of [0, 1]ⁿ.</summary>
    public static MilpCase Draw(int index)
    {
        var r = new Random(7_000_003 + 7919 * index);
        int inputs = r.Next(2, 7), depth = r.Next(1, 4), classes = r.Next(2, 5);
        var layers = new List<LayerDeclaration>();
        for (int d = 0; d < depth; d++) layers.AddRange([new DenseDeclaration(r.Next(2, 9)), new ReluDeclaration()]);
        layers.Add(new DenseDeclaration(classes));
        double scale = new[] { 0.5, 1.0, 2.0 }[r.Next(3)];
        var c = new NetworkCase(new Architecture(Shape.Of(inputs), layers), r.Next(), scale, 0.1, 1, [0]);
        var center = Enumerable.Range(0, inputs).Select(_ => 2 * r.NextDouble() - 1).ToArray();
        var width = Enumerable.Range(0, inputs).Select(_ => r.NextDouble() < 0.1 ? 0 : 2 * r.NextDouble()).ToArray();
        var row = Enumerable.Range(0, classes).Select(_ => (r.Next(-3, 4)) * (r.NextDouble() < 0.3 ? 1.25 : 1.0)).ToArray();
        if (row.All(v => v == 0)) row[r.Next(classes)] = 1;
        var point = Enumerable.Range(0, inputs).Select(_ => r.NextDouble()).ToArray();
        return new MilpCase(c, center.Select((m, i) => m - width[i] / 2).ToArray(), center.Select((m, i) => m + width[i] / 2).ToArray(), row,
            point, 0.05 + 0.45 * r.NextDouble(), r.Next(classes));
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Case} box [{string.Join(", ", Lower.Zip(Upper, (l, u) => $"{l:R}..{u:R}"))}] row [{string.Join(", ", Row)}]");
}

/// <summary>
/// The MILP soundness law (issue 18, docs/milp.md): on small random networks the exact MILP minimum of a row is attained
/// by the input it returns and no sampled point of the box lies below it; and every relaxation's lower bound of the row
/// is at most that minimum. Tolerance τ = 10⁻⁶·(1 + |min| + M), M the sum over the row's interval range and every
/// big-M (max(|l|, u) of each unstable neuron): SCIP's feasibility and integrality tolerance is 10⁻⁶, so each binary
/// may be 10⁻⁶ off integral and each y may leave max(x, 0) by 10⁻⁶·max(|l|, u) (plus 10⁻⁶ per constraint); with the
/// weights of these networks (|W|₁ ≤ a few) the propagated error stays within a small multiple of that sum — measured
/// |c·f(x*) − MILP objective| ≤ 0.012·τ over the 200 cases, so τ has ample margin while an error of 10⁻³ is caught.
/// The main row's MILP takes its big-M from the Triangle LP's intermediate bounds (fast); the logit-difference rows over
/// a clamped ball take CROWN's, and their first row also interval arithmetic's: the minima must agree (the MILP is exact
/// whatever sound bounds it is given).
/// </summary>
public static class MilpLaw
{
    /// <summary>The relaxations checked with <see cref="Verifier.RowLower"/> (every row-capable family; α-CROWN with
    /// intermediate slopes at 5 steps, which keeps the class at ~30 s: 20 steps take 15 s of it alone).</summary>
    public static readonly string[] RowDomains =
        ["box", "zono", "hbox", "hzono", "deeppoly", "crown", "crown-ibp", "alpha-crown", "alpha-crown:intermediate=1,steps=5"];

    /// <summary>Branch and bound as the law runs it: a budget of 32 subproblems (work, not time), 5 α/β steps, under input
    /// splits (these networks have ≤ 6 inputs) and forced ReLU splits; its proven lower bound of the row is checked.</summary>
    static readonly (string Name, BabOptions Options)[] BabRuns =
    [
        ("bab (input splits)", BabOptions.Default with { RootSteps = 5, AlphaSteps = 5, MaxSubproblems = 32, InputBatch = 8 }),
        ("bab (relu splits)", BabOptions.Default with { RootSteps = 5, AlphaSteps = 5, MaxSubproblems = 32, Batch = 8, InputSplitInputs = 0 }),
    ];

    /// <summary>What one case found.</summary>
    /// <param name="Neurons">ReLU neurons of the network.</param>
    /// <param name="Unstable">Neurons unstable under the Triangle LP's bounds (binaries of the main MILP).</param>
    /// <param name="Below">Per relaxation, whether its bound is below the minimum by more than τ.</param>
    /// <param name="Milliseconds">The MILP's wall time.</param>
    /// <param name="Error">|c·f(x*) − objective| / τ.</param>
    public sealed record Outcome(int Neurons, int Unstable, IReadOnlyDictionary<string, bool> Below, double Milliseconds, double Error);

    /// <summary>The relaxation bounds of the row, by name (row domains, then "triangle-lp").</summary>
    public static (Dictionary<string, double> Bounds, TriangleLpExample Lp) RelaxationBounds(NetworkModule net64, LpNetwork lp, MilpCase m)
    {
        var lo = tensor(m.Lower, dtype: float64).unsqueeze(0);
        var hi = tensor(m.Upper, dtype: float64).unsqueeze(0);
        var rows = tensor(m.Row, dtype: float64).view(1, 1, -1);
        var result = RowDomains.ToDictionary(d => d, d => Verifier.RowLower(net64, lo, hi, rows, SoundnessLaw.Parse(d)).item<double>());
        var example = TriangleLp.Example(lp.WithRows(m.Row, 1), m.Lower, m.Upper, 0, SpecKind.Eye, TriangleLpOptions.Exact);
        result["triangle-lp"] = example.LogitLower![0];
        foreach (var (name, options) in BabRuns)
            result[name] = BranchAndBound.Run(net64, lo, hi, rows[0], zeros(1, dtype: float64), options, () => false).Bound;
        return (result, example);
    }

    /// <summary>Checks case <paramref name="m"/>; throws on the first violation. <paramref name="shift"/> is added to
    /// every relaxation bound (0 in the law; the test that the law can fail uses a positive shift).</summary>
    public static Outcome Holds(MilpCase m, double shift = 0)
    {
        using var scope = NewDisposeScope();
        using var net = m.Case.CreateNetwork();
        using var net64 = FinalCheck.Float64Copy(net, CPU);
        using var _ = no_grad();
        var lp = LpNetwork.From(net64);
        string where = $"MILP law on {m}";
        var (relaxations, triangle) = RelaxationBounds(net64, lp, m);
        // Big-M from the LP's intermediate bounds (GLOP optima, widened by 10⁻⁷ against its tolerance): fast; the ball rows
        // below check that interval and CROWN big-M give the same minima.
        var lpBounds = triangle.Lower.Zip(triangle.Upper, (l, u) => (l.Select(v => Widen(v, -1)).ToArray(), u.Select(v => Widen(v, 1)).ToArray())).ToList();
        var milp = ExactMilp.Minimize(lp, m.Lower, m.Upper, m.Row, bounds: lpBounds);
        if (milp.Status != MilpStatus.Optimal) throw new Xunit.Sdk.XunitException($"{where}: status {milp.Status}, expected Optimal.");
        double tau = Tau(lp, m, milp.Objective);

        // (a) attained: the input is in the box and the reference forward pass there gives the minimum.
        var x = milp.Input!;
        for (int i = 0; i < x.Length; i++)
            if (x[i] < m.Lower[i] || x[i] > m.Upper[i]) throw new Xunit.Sdk.XunitException($"{where}: input {i} = {x[i]:R} outside the box.");
        var row = tensor(m.Row, dtype: float64);
        double value = Float64Reference.Forward(net, tensor(x, dtype: float64).unsqueeze(0)).Logits.matmul(row).item<double>();
        if (Math.Abs(value - milp.Objective) > tau)
            throw new Xunit.Sdk.XunitException($"{where}: c·f(x*) = {value:R} but the MILP minimum is {milp.Objective:R} (τ {tau:G3}).");
        if (Math.Abs(value - milp.Attained) > 1e-12 * (1 + Math.Abs(value)))
            throw new Xunit.Sdk.XunitException($"{where}: Attained {milp.Attained:R} differs from the reference forward pass {value:R}.");
        if (milp.LowerBound > milp.Objective) throw new Xunit.Sdk.XunitException($"{where}: lower bound {milp.LowerBound:R} above the objective {milp.Objective:R}.");
        // ... and no sampled point (uniform samples, every vertex) lies below it.
        var points = Points(m);
        var values = Float64Reference.Forward(net, points).Logits.matmul(row);
        double smallest = values.min().item<double>();
        if (smallest < milp.LowerBound - tau)
            throw new Xunit.Sdk.XunitException($"{where}: a sampled point has c·f(x) = {smallest:R} < the MILP minimum {milp.LowerBound:R} − τ {tau:G3}.");

        // (b) every relaxation's bound ≤ the minimum + τ.
        var below = new Dictionary<string, bool>();
        foreach (var (name, bound) in relaxations)
        {
            if (bound + shift > milp.Objective + tau)
                throw new Xunit.Sdk.XunitException($"{where}: {name} bound {bound + shift:R} > the MILP minimum {milp.Objective:R} + τ {tau:G3}.");
            below[name] = bound < milp.Objective - tau;
        }

        // iclr2021 bounds logit differences only: rows e_y − e_j over a clamped ball, checked against their MILP minima.
        var center = tensor(m.Center, dtype: float64).unsqueeze(0);
        var y = tensor(new long[] { m.Label });
        var diffs = Verifier.Bounds(net64, center, y, m.Eps, SoundnessLaw.Parse("iclr2021")).DiffLower.flatten().data<double>().ToArray();
        var crown = Verifier.Bounds(net64, center, y, m.Eps, Domain.DeepPoly).PreActivation
            .Select(p => (p.Lower.flatten().data<double>().ToArray().Select(v => Widen(v, -1)).ToArray(),
                p.Upper.flatten().data<double>().ToArray().Select(v => Widen(v, 1)).ToArray())).ToList();
        var (blo, bhi) = (m.Center.Select(v => Math.Max(0, v - m.Eps)).ToArray(), m.Center.Select(v => Math.Min(1, v + m.Eps)).ToArray());
        int classes = m.Row.Length;
        bool iclrBelow = false;
        for (int j = 0, col = 0; j < classes; j++)
        {
            if (j == m.Label) continue;
            var c = new double[classes];
            (c[m.Label], c[j]) = (1, -1);
            var withCrown = ExactMilp.Minimize(lp, blo, bhi, c, bounds: crown);
            var exact = col == 0 ? ExactMilp.Minimize(lp, blo, bhi, c) : withCrown;        // interval big-M on the first row
            var ball = m with { Lower = blo, Upper = bhi, Row = c };
            double t = Tau(lp, ball, exact.Objective);
            if (exact.Status != MilpStatus.Optimal || withCrown.Status != MilpStatus.Optimal)
                throw new Xunit.Sdk.XunitException($"{where}: ball row e_{m.Label} − e_{j}: status {exact.Status}/{withCrown.Status}.");
            if (Math.Abs(exact.Objective - withCrown.Objective) > t)
                throw new Xunit.Sdk.XunitException($"{where}: ball row e_{m.Label} − e_{j}: minimum {exact.Objective:R} with interval big-M, {withCrown.Objective:R} with CROWN's.");
            double d = diffs[col++];
            if (d + shift > exact.Objective + t)
                throw new Xunit.Sdk.XunitException($"{where}: iclr2021 bound of z_{m.Label} − z_{j} {d + shift:R} > the MILP minimum {exact.Objective:R} + τ {t:G3}.");
            iclrBelow |= d < exact.Objective - t;
        }
        below["iclr2021"] = iclrBelow;
        int neurons = lp.Stages.Take(lp.Stages.Count - 1).Sum(s => s.Out);
        return new Outcome(neurons, milp.Binaries, below, milp.Time.TotalMilliseconds, Math.Abs(value - milp.Objective) / tau);
    }

    static double Widen(double v, int side) => v + side * 1e-7 * (1 + Math.Abs(v));

    /// <summary>τ of the case (see the class summary).</summary>
    public static double Tau(LpNetwork lp, MilpCase m, double minimum)
    {
        var rowNet = lp.WithRows(m.Row, 1);
        var bounds = MilpEncoding.IntervalBounds(rowNet, m.Lower, m.Upper);
        double bigM = bounds.Sum(b => b.Lower.Zip(b.Upper, (l, u) => l < 0 && u > 0 ? Math.Max(-l, u) : 0).Sum());
        return 1e-6 * (1 + Math.Abs(minimum) + bigM + RowRange(rowNet, bounds));
    }

    // max |interval bound| of the row over the box.
    static double RowRange(LpNetwork rowNet, IReadOnlyList<(double[] Lower, double[] Upper)> bounds)
    {
        var s = rowNet.Stages[^1];
        double lo = s.Bias[0], hi = s.Bias[0];
        var (l, u) = bounds[^1];
        for (int k = 0; k < s.In; k++)
        {
            double a = Math.Max(l[k], 0), b = Math.Max(u[k], 0), w = s.Weight[k];
            lo += w * (w >= 0 ? a : b);
            hi += w * (w >= 0 ? b : a);
        }
        return Math.Max(Math.Abs(lo), Math.Abs(hi));
    }

    /// <summary>c·f(x) by the float64 reference forward pass at <paramref name="points"/> [P, n].</summary>
    public static Tensor RowValues(NetworkModule net, Tensor points, double[] row) =>
        Float64Reference.Forward(net, points).Logits.matmul(tensor(row, dtype: float64));

    // 400 uniform samples and every vertex of the box, float64 [P, n].
    static Tensor Points(MilpCase m)
    {
        int n = m.Lower.Length;
        var (lo, hi) = (tensor(m.Lower, dtype: float64), tensor(m.Upper, dtype: float64));
        using var g = new Generator((ulong)m.Case.Seed + 17);
        var uniform = lo + (hi - lo) * rand([400, n], dtype: float64, generator: g);
        var bits = arange(1L << n).unsqueeze(1).bitwise_right_shift(arange(n)).bitwise_and(1).to(@bool);
        var vertices = where(bits, hi.unsqueeze(0), lo.unsqueeze(0));
        return cat([uniform, vertices], 0);
    }
}
