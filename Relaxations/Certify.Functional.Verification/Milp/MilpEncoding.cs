using Certify.Functional.Verification.Triangle;
using Google.OrTools.LinearSolver;

namespace Certify.Functional.Verification.Milp;

/// <summary>
/// The big-M mixed-integer model of a ReLU network lowered by <see cref="LpNetwork"/> over an input box (docs/milp.md).
/// Variables: one per input element, bounded by the box; one per pre-activation x_i, bounded by its sound bounds
/// [l, u], with the equality x_i − W_i·v = b_i. Per ReLU: u ≤ 0 → y = 0 (a constant); l ≥ 0 → y = x (the same
/// variable); otherwise a binary z and a variable y with 0 ≤ y ≤ u, y ≥ x, y ≤ x − l·(1 − z), y ≤ u·z: exactly
/// y = max(x, 0) at integral z. A fixed split (−1 / +1) adds x ≤ 0 / x ≥ 0 and makes the neuron stable; a split the
/// bounds contradict (−1 with l &gt; 0, +1 with u &lt; 0) makes the model infeasible without a solve
/// (<see cref="Contradicted"/>). The last stage's single output is the objective.
/// </summary>
public sealed class MilpEncoding : IDisposable
{
    readonly Solver solver;

    /// <summary>The solver holding the model.</summary>
    public Solver Solver => solver;

    /// <summary>The input variables.</summary>
    public IReadOnlyList<Variable> Inputs { get; }

    /// <summary>Per ReLU, the pre-activation bounds used for big-M (after splits and with the defaults filled in).</summary>
    public IReadOnlyList<(double[] Lower, double[] Upper)> Bounds { get; }

    /// <summary>Number of binary variables (unstable, unsplit neurons).</summary>
    public int Binaries { get; }

    /// <summary>A split contradicts the bounds: the model is infeasible (proved by the sound bounds, no solve needed).</summary>
    public bool Contradicted { get; }

    MilpEncoding(Solver solver, IReadOnlyList<Variable> inputs, IReadOnlyList<(double[], double[])> bounds, int binaries, bool contradicted) =>
        (this.solver, Inputs, Bounds, Binaries, Contradicted) = (solver, inputs, bounds, binaries, contradicted);

    /// <summary>Builds the model of <paramref name="net"/> (whose last stage has one output: the objective, minimised)
    /// over [<paramref name="lower"/>, <paramref name="upper"/>] on OR-Tools solver <paramref name="solverId"/>.
    /// <paramref name="bounds"/>: per ReLU, sound pre-activation bounds over the box (float64, rounded outward; null: interval
    /// arithmetic alone), intersected with interval arithmetic computed under the splits. <paramref name="splits"/>: per ReLU, −1 inactive / +1 active / 0 free (null: none).</summary>
    /// <exception cref="ArgumentException">Shapes do not match the network, or the solver is not available.</exception>
    public static MilpEncoding Build(LpNetwork net, double[] lower, double[] upper, string solverId,
        IReadOnlyList<(double[] Lower, double[] Upper)>? bounds = null, IReadOnlyList<sbyte[]>? splits = null)
    {
        if (lower.Length != net.Inputs || upper.Length != net.Inputs)
            throw new ArgumentException($"Input box: {lower.Length}/{upper.Length} bounds for a network of {net.Inputs} inputs.");
        if (net.Stages[^1].Out != 1)
            throw new ArgumentException($"The objective must be one row: the last stage has {net.Stages[^1].Out} outputs (use LpNetwork.WithRows).");
        int relus = net.Stages.Count - 1;
        if (bounds is not null && bounds.Count != relus) throw new ArgumentException($"Bounds for {bounds.Count} ReLUs; the network has {relus}.");
        if (splits is not null && splits.Count != relus) throw new ArgumentException($"Splits for {splits.Count} ReLUs; the network has {relus}.");
        var solver = Solver.CreateSolver(solverId)
            ?? throw new ArgumentException($"OR-Tools could not create the MIP solver '{solverId}' (available here: SCIP, CP_SAT).");
        var inputs = new Variable[lower.Length];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = solver.MakeNumVar(lower[i], upper[i], "");
        Variable?[] current = inputs;
        double[] lo = (double[])lower.Clone(), hi = (double[])upper.Clone();   // interval bounds of the current values
        var used = new List<(double[], double[])>();
        int binaries = 0;
        bool contradicted = false;
        for (int r = 0; r < relus; r++)
        {
            var stage = net.Stages[r];
            var (il, iu) = stage.Interval(lo, hi);
            if (bounds is not null && (bounds[r].Lower.Length != stage.Out || bounds[r].Upper.Length != stage.Out))
                throw new ArgumentException($"ReLU {r}: bounds for {bounds[r].Lower.Length}/{bounds[r].Upper.Length} neurons; it has {stage.Out}.");
            var (l, u) = (il, iu);
            var split = splits?[r];
            if (split is not null && split.Length != stage.Out) throw new ArgumentException($"ReLU {r}: splits for {split.Length} neurons; it has {stage.Out}.");
            var next = new Variable?[stage.Out];
            var (nl, nu) = (new double[stage.Out], new double[stage.Out]);
            for (int i = 0; i < stage.Out; i++)
            {
                if (bounds is not null) (l[i], u[i]) = (Math.Max(l[i], bounds[r].Lower[i]), Math.Min(u[i], bounds[r].Upper[i]));
                if (l[i] > u[i]) l[i] = u[i] = 0.5 * (l[i] + u[i]);                    // rounding noise on a (near-)constant neuron
                int s = split?[i] ?? 0;
                if ((s > 0 && u[i] < 0) || (s < 0 && l[i] > 0)) { contradicted = true; l[i] = u[i] = 0; }
                if (s > 0) l[i] = Math.Max(l[i], 0);
                if (s < 0) u[i] = Math.Min(u[i], 0);
                var x = solver.MakeNumVar(l[i], u[i], "");
                var row = solver.MakeConstraint(stage.Bias[i], stage.Bias[i], "");
                row.SetCoefficient(x, 1);
                var w = stage.Row(i);
                for (int k = 0; k < w.Length; k++)
                    if (w[k] != 0 && current[k] is { } v) row.SetCoefficient(v, -w[k]);
                if (u[i] <= 0) continue;                                               // y = 0
                if (l[i] >= 0) { next[i] = x; (nl[i], nu[i]) = (l[i], u[i]); continue; }  // y = x
                binaries++;
                var z = solver.MakeBoolVar("");
                var y = solver.MakeNumVar(0, u[i], "");
                Add(solver, 0, double.PositiveInfinity, (y, 1), (x, -1));              // y − x ≥ 0
                Add(solver, double.NegativeInfinity, -l[i], (y, 1), (x, -1), (z, -l[i]));  // y − x − l·z ≤ −l
                Add(solver, double.NegativeInfinity, 0, (y, 1), (z, -u[i]));           // y − u·z ≤ 0
                next[i] = y;
                (nl[i], nu[i]) = (0, u[i]);
            }
            used.Add((l, u));
            (current, lo, hi) = (next, nl, nu);
        }
        var last = net.Stages[^1];
        var objective = solver.Objective();
        var c = last.Row(0);
        for (int k = 0; k < c.Length; k++)
            if (c[k] != 0 && current[k] is { } v) objective.SetCoefficient(v, c[k]);
        objective.SetOffset(last.Bias[0]);
        objective.SetMinimization();
        return new MilpEncoding(solver, inputs, used, binaries, contradicted);
    }

    /// <summary>Interval-arithmetic pre-activation bounds of every ReLU over the box (the default big-M bounds).</summary>
    public static IReadOnlyList<(double[] Lower, double[] Upper)> IntervalBounds(LpNetwork net, double[] lower, double[] upper)
    {
        var result = new List<(double[], double[])>();
        double[] lo = lower, hi = upper;
        for (int r = 0; r < net.Stages.Count - 1; r++)
        {
            var (l, u) = net.Stages[r].Interval(lo, hi);
            result.Add((l, u));
            (lo, hi) = (l.Select(v => Math.Max(v, 0)).ToArray(), u.Select(v => Math.Max(v, 0)).ToArray());
        }
        return result;
    }

    /// <summary>The float64 forward pass of <paramref name="net"/> at <paramref name="x"/>: the last stage's outputs.</summary>
    public static double[] Forward(LpNetwork net, ReadOnlySpan<double> x)
    {
        var v = x.ToArray();
        for (int r = 0; r < net.Stages.Count; r++)
        {
            var stage = net.Stages[r];
            var next = new double[stage.Out];
            for (int i = 0; i < stage.Out; i++)
            {
                var w = stage.Row(i);
                double s = stage.Bias[i];
                for (int k = 0; k < w.Length; k++) s += w[k] * v[k];
                next[i] = r < net.Stages.Count - 1 ? Math.Max(s, 0) : s;
            }
            v = next;
        }
        return v;
    }

    static void Add(Solver solver, double lb, double ub, params (Variable Var, double Coefficient)[] terms)
    {
        var row = solver.MakeConstraint(lb, ub, "");
        foreach (var (v, a) in terms) row.SetCoefficient(v, a);
    }

    /// <inheritdoc/>
    public void Dispose() => solver.Dispose();
}
