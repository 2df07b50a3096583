using Google.OrTools.LinearSolver;

namespace Certify.Functional.Verification.Triangle;

/// <summary>
/// The encoding half of the Triangle LP (relaxations.md §3.11): builds one GLOP model per example from the input box, the
/// affine stages' float64 weights and the ReLU bounds, and sets objectives over it. It never solves; the loop in
/// <see cref="TriangleLp"/> does. Variables: one per input element (bounded by the clamped box), one free variable
/// per pre-activation x_i with the equality x_i − W_i·v = b_i, and per ReLU with bounds [l, u]:
/// u ≤ 0 → y = 0 (a constant, no variable); l ≥ 0 → y = x (the same variable); crossing → a variable y with
/// y ≥ 0, y ≥ x and (u − l)·y − u·x ≤ −l·u (the upper chord). Alongside it carries interval bounds of every current
/// value (interval arithmetic on the same bounds), the sound fallback when a solve does not reach optimality.
/// </summary>
public sealed class TriangleEncoding : IDisposable
{
    readonly Solver solver;
    Variable?[] current;                   // the current layer's values; null = the constant 0
    double[] currentLower, currentUpper;   // interval bounds of the current values
    Variable[] pre = [];                   // pre-activation variables of the last affine stage
    double[] preLower = [], preUpper = [];

    TriangleEncoding(Solver solver, Variable?[] inputs, double[] lower, double[] upper) =>
        (this.solver, current, currentLower, currentUpper) = (solver, inputs, lower, upper);

    /// <summary>The model over the box [lower, upper] (float64, one entry per input element).</summary>
    public static TriangleEncoding ForBox(double[] lower, double[] upper, string? glopParameters = null)
    {
        if (lower.Length != upper.Length)
            throw new ArgumentException($"Input box: {lower.Length} lower and {upper.Length} upper bounds; expected the same length.");
        var solver = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("OR-Tools could not create the GLOP solver.");
        if (!string.IsNullOrEmpty(glopParameters) && !solver.SetSolverSpecificParametersAsString(glopParameters))
            throw new ArgumentException($"GLOP rejected the parameters '{glopParameters}'.", nameof(glopParameters));
        var inputs = new Variable?[lower.Length];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = solver.MakeNumVar(lower[i], upper[i], "");
        return new TriangleEncoding(solver, inputs, (double[])lower.Clone(), (double[])upper.Clone());
    }

    /// <summary>The solver holding the model (the loop solves it; the encoding only builds it).</summary>
    public Solver Solver => solver;

    /// <summary>Number of pre-activations of the last added affine stage.</summary>
    public int Neurons => pre.Length;

    /// <summary>Interval-arithmetic bounds of the last stage's pre-activations (the LP optimum for the first stage,
    /// whose feasible set is the input box; a sound fallback later).</summary>
    public (double[] Lower, double[] Upper) IntervalBounds => (preLower, preUpper);

    /// <summary>Adds an affine stage's pre-activation variables and equalities (they do not restrict the model).</summary>
    public void AddAffine(LpAffine stage)
    {
        if (stage.In != current.Length)
            throw new ArgumentException($"Stage of layer {stage.Layer}: {stage.In} inputs, but the model's current layer has {current.Length} values.");
        pre = new Variable[stage.Out];
        (preLower, preUpper) = stage.Interval(currentLower, currentUpper);
        for (int i = 0; i < stage.Out; i++)
        {
            var x = solver.MakeNumVar(double.NegativeInfinity, double.PositiveInfinity, "");
            var row = solver.MakeConstraint(stage.Bias[i], stage.Bias[i], "");
            row.SetCoefficient(x, 1);
            var w = stage.Row(i);
            for (int k = 0; k < w.Length; k++)
                if (w[k] != 0 && current[k] is { } v) row.SetCoefficient(v, -w[k]);
            pre[i] = x;
        }
    }

    /// <summary>Objective: minimize or maximize pre-activation <paramref name="neuron"/> of the last stage.</summary>
    public void ObjectiveNeuron(int neuron, bool minimize)
    {
        var objective = solver.Objective();
        objective.Clear();
        objective.SetCoefficient(pre[neuron], 1);
        if (minimize) objective.SetMinimization(); else objective.SetMaximization();
    }

    /// <summary>Objective: minimize or maximize c·v + c0 over the current values (the specification; c [n]).</summary>
    public void ObjectiveLinear(ReadOnlySpan<double> c, double c0, bool minimize)
    {
        var objective = solver.Objective();
        objective.Clear();
        for (int k = 0; k < c.Length; k++)
            if (c[k] != 0 && current[k] is { } v) objective.SetCoefficient(v, c[k]);
        objective.SetOffset(c0);
        if (minimize) objective.SetMinimization(); else objective.SetMaximization();
    }

    /// <summary>Interval bounds of c·v + c0 over the current values (the fallback of <see cref="ObjectiveLinear"/>).</summary>
    public (double Lower, double Upper) IntervalLinear(ReadOnlySpan<double> c, double c0)
    {
        double lo = c0, hi = c0;
        for (int k = 0; k < c.Length; k++)
        {
            lo += c[k] * (c[k] >= 0 ? currentLower[k] : currentUpper[k]);
            hi += c[k] * (c[k] >= 0 ? currentUpper[k] : currentLower[k]);
        }
        return (lo, hi);
    }

    /// <summary>Adds the ReLU of the last stage's pre-activations with bounds [<paramref name="lower"/>, <paramref name="upper"/>]
    /// (their LP bounds, or any sound bounds for neurons they prove stable). Returns the number of crossing neurons.</summary>
    public int AddRelu(double[] lower, double[] upper)
    {
        if (lower.Length != pre.Length || upper.Length != pre.Length)
            throw new ArgumentException($"ReLU bounds: {lower.Length}/{upper.Length} values for {pre.Length} pre-activations.");
        var next = new Variable?[pre.Length];
        var lo = new double[pre.Length];
        var hi = new double[pre.Length];
        int crossing = 0;
        for (int i = 0; i < pre.Length; i++)
        {
            double l = lower[i], u = upper[i];
            if (u <= 0) continue;                                                // y = 0
            if (l >= 0) { next[i] = pre[i]; (lo[i], hi[i]) = (l, u); continue; } // y = x
            crossing++;
            var y = solver.MakeNumVar(0, double.PositiveInfinity, "");          // y ≥ 0
            var above = solver.MakeConstraint(0, double.PositiveInfinity, "");  // y − x ≥ 0
            above.SetCoefficient(y, 1);
            above.SetCoefficient(pre[i], -1);
            var chord = solver.MakeConstraint(double.NegativeInfinity, -l * u, ""); // (u − l)·y − u·x ≤ −l·u
            chord.SetCoefficient(y, u - l);
            chord.SetCoefficient(pre[i], -u);
            next[i] = y;
            (lo[i], hi[i]) = (0, u);
        }
        (current, currentLower, currentUpper) = (next, lo, hi);
        return crossing;
    }

    /// <inheritdoc/>
    public void Dispose() => solver.Dispose();
}
