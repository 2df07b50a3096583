using System.Diagnostics;
using Certify.Functional.Verification.Triangle;
using Google.OrTools.LinearSolver;

namespace Certify.Functional.Verification.Milp;

/// <summary>How a MILP solve ended.</summary>
public enum MilpStatus
{
    /// <summary>Solved to optimality (gap 0 within the solver's tolerances): <see cref="MilpResult.LowerBound"/> = the minimum.</summary>
    Optimal,
    /// <summary>No input of the box satisfies the splits (proved by the solver, or by the bounds).</summary>
    Infeasible,
    /// <summary>Stopped by the time limit: <see cref="MilpResult.LowerBound"/> is the solver's best bound (−∞ if none) and
    /// <see cref="MilpResult.Objective"/> the best input found so far (+∞ if none).</summary>
    TimeLimit,
    /// <summary>The solver failed (numerics, invalid model): nothing is proved; the lower bound is −∞.</summary>
    Error,
}

/// <summary>The result of <see cref="ExactMilp.Minimize"/>.</summary>
/// <param name="Status">How the solve ended.</param>
/// <param name="Objective">The solver's objective value at its best solution (+∞ when it has none).</param>
/// <param name="LowerBound">The lower bound the solver proved (its best bound; +∞ when infeasible, −∞ when it proved
/// nothing). This, not <paramref name="Objective"/>, is what a verifier may use.</param>
/// <param name="Input">The minimising input (its best solution, clamped into the box), or null.</param>
/// <param name="Attained">The row's float64 value at <paramref name="Input"/> by the plain forward pass (+∞ without an
/// input): a value the network really takes, so an upper bound of the true minimum.</param>
/// <param name="Time">Wall time of the build and solve.</param>
/// <param name="Nodes">Branch-and-bound nodes (−1 when the solver does not report them).</param>
/// <param name="Binaries">Binary variables of the model (unstable, unsplit neurons).</param>
public sealed record MilpResult(MilpStatus Status, double Objective, double LowerBound, double[]? Input, double Attained, TimeSpan Time, long Nodes,
    int Binaries);

/// <summary>Options of <see cref="ExactMilp.Minimize"/>.</summary>
/// <param name="Solver">OR-Tools solver id: "SCIP" (the default) or "CP_SAT", on the same encoding. SCIP is the one to
/// use, measured (docs/milp.md): on the law's 200 random networks it solves every case to optimality (median 5.9 ms,
/// p90 82 ms, max 2 s). CP-SAT has no continuous variables: OR-Tools puts each on an integer grid, so CP-SAT solves
/// another problem — with its defaults the grid is so coarse that 187 of the 200 models come back invalid or off
/// SCIP's minimum; with 1000 steps per unit (what this class sets) the first 20 cases hit a 5 s limit 15 times and the
/// 5 "optimal" ones are off by up to 0.11 (above the true minimum). Its bounds and infeasibility therefore prove
/// nothing for the network: with CP_SAT, <see cref="MilpResult.LowerBound"/> is always −∞ (the input it finds, and
/// <see cref="MilpResult.Attained"/>, are still real).</param>
/// <param name="TimeLimit">Time limit of the solve (default 60 s).</param>
public sealed record MilpOptions(string Solver = "SCIP", TimeSpan? TimeLimit = null)
{
    /// <summary>SCIP with a 60 s limit.</summary>
    public static MilpOptions Default { get; } = new();
}

/// <summary>
/// The exact minimum of one linear row of a ReLU network's outputs over an input box, by the big-M MILP of
/// <see cref="MilpEncoding"/> on OR-Tools' MIP solvers: a complete verifier for small fully connected networks and the
/// oracle of the relaxations' soundness law (docs/milp.md). SCIP runs single-threaded with its default seed
/// (deterministic up to the time limit), relative and absolute gap 0, and its default feasibility / integrality
/// tolerance 10⁻⁶: a solution may have z = 10⁻⁶ off integral, so y may leave max(x, 0) by about 10⁻⁶·max(|l|, u) per
/// neuron, and the optimum is that of a slightly relaxed model — the proved lower bound stays below the true minimum
/// (up to that slack), and <see cref="MilpResult.Attained"/> tells the value the network really takes at the input.
/// </summary>
public static class ExactMilp
{
    /// <summary>Minimises c·f(x) + <paramref name="constant"/> over [<paramref name="lower"/>, <paramref name="upper"/>]
    /// (float64, one entry per input element) for the row <paramref name="row"/> [K] over the network's K outputs.
    /// <paramref name="bounds"/>: per ReLU, sound pre-activation bounds over the box (e.g. CROWN's, float64; null:
    /// interval arithmetic); <paramref name="splits"/>: per ReLU, −1 inactive / +1 active / 0 free (null: none).</summary>
    /// <exception cref="ArgumentException">Shapes do not match, or the solver is not available.</exception>
    public static MilpResult Minimize(LpNetwork net, double[] lower, double[] upper, double[] row, double constant = 0,
        IReadOnlyList<(double[] Lower, double[] Upper)>? bounds = null, IReadOnlyList<sbyte[]>? splits = null, MilpOptions? options = null)
    {
        options ??= MilpOptions.Default;
        var clock = Stopwatch.StartNew();
        var rowNet = net.WithRows(row, 1);
        using var model = MilpEncoding.Build(rowNet, lower, upper, options.Solver, bounds, splits);
        if (model.Contradicted)
            return new MilpResult(MilpStatus.Infeasible, double.PositiveInfinity, double.PositiveInfinity, null, double.PositiveInfinity, clock.Elapsed, 0, model.Binaries);
        var solver = model.Solver;
        solver.SetNumThreads(1);
        var limit = options.TimeLimit ?? TimeSpan.FromSeconds(60);
        solver.SetTimeLimit((long)Math.Clamp(limit.TotalMilliseconds, 1, long.MaxValue / 2));
        bool scip = options.Solver.Equals("SCIP", StringComparison.OrdinalIgnoreCase);
        string specific = scip ? ScipParameters : CpSatParameters;
        if (!solver.SetSolverSpecificParametersAsString(specific))
            throw new InvalidOperationException($"{options.Solver} rejected the parameters '{specific}'.");
        using var parameters = new MPSolverParameters();
        parameters.SetDoubleParam(MPSolverParameters.DoubleParam.RELATIVE_MIP_GAP, 0);
        var status = solver.Solve(parameters);
        double best = solver.Objective().BestBound() + constant;
        long nodes = Nodes(solver);
        double[]? input = null;
        double objective = double.PositiveInfinity, attained = double.PositiveInfinity;
        if (status is Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE)
        {
            input = model.Inputs.Select((v, i) => Math.Clamp(v.SolutionValue(), lower[i], upper[i])).ToArray();
            objective = solver.Objective().Value() + constant;
            attained = MilpEncoding.Forward(rowNet, input)[0] + constant;
        }
        var (kind, proved) = status switch
        {
            Solver.ResultStatus.OPTIMAL => (MilpStatus.Optimal, Math.Min(best, objective)),
            Solver.ResultStatus.INFEASIBLE => (MilpStatus.Infeasible, double.PositiveInfinity),
            Solver.ResultStatus.FEASIBLE => (MilpStatus.TimeLimit, Bound(best, objective)),
            // Stopped without a solution: OR-Tools reports a best bound of 0 then (seen), which proves nothing.
            Solver.ResultStatus.NOT_SOLVED when clock.Elapsed >= limit * 0.99 => (MilpStatus.TimeLimit, double.NegativeInfinity),
            _ => (MilpStatus.Error, double.NegativeInfinity),
        };
        // CP-SAT solves a discretised model (continuous variables on a grid): its optimum and its infeasibility are not
        // the network's, so it proves nothing here.
        return new MilpResult(kind, objective, scip ? proved : double.NegativeInfinity, input, attained, clock.Elapsed, nodes, model.Binaries);
    }

    // Gap 0 (the default 10⁻⁴ relative gap would stop above the minimum) and SCIP's default seed.
    const string ScipParameters = "limits/gap = 0\nlimits/absgap = 0\nrandomization/randomseedshift = 0\n";

    // CP-SAT has no continuous variables: OR-Tools scales each to an integer grid (without a scale, a variable of [−1, 2]
    // gets 4 values and the model is invalid); 1000 steps per unit.
    const string CpSatParameters = "mip_var_scaling: 1000";

    // The best bound when the solver has one (never above the best solution's value), else −∞ (SCIP's infinity is 10²⁰).
    static double Bound(double best, double objective) => double.IsFinite(best) && best > -1e19 ? Math.Min(best, objective) : double.NegativeInfinity;

    static long Nodes(Solver solver)
    {
        try { return solver.Nodes(); }
        catch (Exception) { return -1; }
    }
}
