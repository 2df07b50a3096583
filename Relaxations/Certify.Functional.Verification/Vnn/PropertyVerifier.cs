using System.Diagnostics;
using Certify.Functional.Bounds;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.DeepPoly;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Runtime;
using Certify.Functional.Verification.Bab;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification.Triangle;
using Certify.Functional.VnnLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Verification.Vnn;

/// <summary>The answer to a VNN-LIB property, in VNN-COMP's words.</summary>
public enum Verdict
{
    /// <summary>A counterexample exists (and is given).</summary>
    Sat,
    /// <summary>Proved: no input in the box reaches any clause.</summary>
    Unsat,
    /// <summary>Neither found nor proved with the methods tried.</summary>
    Unknown,
    /// <summary>The time limit ran out first.</summary>
    Timeout,
}

/// <summary>What was decided, by which method, in how long; the counterexample when <see cref="Verdict.Sat"/>.</summary>
/// <param name="Verdict">The answer.</param>
/// <param name="Method">What decided it: "pgd", a relaxation's name, "bab", or "none".</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="Counterexample">The counterexample of a <see cref="Verdict.Sat"/> answer.</param>
/// <param name="Log">One line per stage.</param>
/// <param name="Subproblems">Subdomains bounded by branch and bound (0 when it did not run).</param>
public sealed record PropertyResult(Verdict Verdict, string Method, double Seconds, Counterexample? Counterexample, IReadOnlyList<string> Log,
    long Subproblems = 0)
{
    /// <summary>"sat", "unsat", "unknown" or "timeout".</summary>
    public string Word => Verdict.ToString().ToLowerInvariant();

    /// <summary>The VNN-COMP result file's text.</summary>
    public string ToVnnComp() => Counterexample?.ToVnnComp() ?? Word + "\n";
}

/// <summary>How <see cref="PropertyVerifier"/> works: the time limit, the relaxations tried in order (each one only on
/// the clauses the earlier ones left), the falsification budgets (<paramref name="Thorough"/> null: the input-size rule of
/// <see cref="FalsifyOptions.Thorough"/>; a restart count of 0 takes the rule's count with the given steps), the seed, and
/// the last stage, branch and bound (<paramref name="Bab"/>; null: none).</summary>
public sealed record PropertyOptions(double TimeoutSeconds, IReadOnlyList<Domain> Ladder, FalsifyOptions Quick, FalsifyOptions? Thorough, long Seed = 0,
    BabOptions? Bab = null)
{
    /// <summary>box → crown → alpha-crown → alpha-crown with optimised intermediate slopes → the Triangle LP (fully
    /// connected networks of at most <see cref="PropertyVerifier.LpNeuronLimit"/> ReLU neurons; stable neurons by CROWN).</summary>
    public static IReadOnlyList<Domain> DefaultLadder { get; } =
        new[] { "box", "crown", "alpha-crown", "alpha-crown:intermediate=1", "triangle-lp:skip-stable=1" }.Select(n => Domain.Parse(n).Match(d => d, e => throw new InvalidOperationException(e.Message))).ToArray();

    /// <summary>The rungs that run: the ladder without the Triangle LP when branch and bound follows (it decides more per
    /// second than the LP proves).</summary>
    public IEnumerable<Domain> Rungs => Ladder.Where(d => !(Bab is not null && d is TriangleLpDomain));

    /// <summary>The stages after the first falsification, for logs and summaries: "box → crown → … → bab".</summary>
    public string Stages => string.Join(" → ", Rungs.Select(d => d.Name).Append(Bab is null ? "pgd (thorough)" : "pgd (thorough) → bab"));

    /// <summary>The defaults with a time limit.</summary>
    public static PropertyOptions For(double timeoutSeconds) => new(timeoutSeconds, DefaultLadder, FalsifyOptions.Quick, Thorough: null, Bab: BabOptions.Default);
}

/// <summary>
/// Decides a VNN-LIB property on a network: falsify first (<see cref="Falsifier"/>), then prove with increasingly tight
/// relaxations until every clause of every case is refuted, then falsify harder; whatever is left is unknown, and the
/// time limit turns any of it into a timeout. A clause (all rows c·y ≤ d must hold for a counterexample) is refuted when
/// one row's lower bound of c·f(x) − d over the box is &gt; 0, computed in float64 on a float64 copy of the network and
/// rounded outward by the a-priori margin (<see cref="DifferenceMargin.OfRows"/>). A proof after a counterexample is
/// never attempted, and a counterexample is cross-checked: if a relaxation then claims its clause refuted, that is a
/// soundness bug and is reported as an error, not as an answer.
/// </summary>
public static class PropertyVerifier
{
    /// <summary>Decides <paramref name="property"/> (already checked against the network's sizes) on
    /// <paramref name="float32"/>. <paramref name="log"/> receives one line per stage.</summary>
    public static PropertyResult Run(NetworkModule float32, VnnLibProperty property, PropertyOptions options, Action<string>? log = null)
    {
        var clock = Stopwatch.StartNew();
        using var guard = GcGuard.Open();                 // collections only at the safe points between stages (TorchSharp's scalar race)
        var lines = new List<string>();
        void Note(string line) { string l = $"[{clock.Elapsed.TotalSeconds,6:F1} s] {line}"; lines.Add(l); log?.Invoke(l); guard.SafePoint(); }
        bool Expired() => clock.Elapsed.TotalSeconds >= options.TimeoutSeconds;
        long subproblems = 0;
        PropertyResult Done(Verdict v, string method, Counterexample? cex = null) =>
            new(Expired() && v != Verdict.Sat ? Verdict.Timeout : v, method, clock.Elapsed.TotalSeconds, cex, lines, subproblems);

        var device = float32.parameters().First().device;
        float32.eval();
        using var float64 = FinalCheck.Float64Copy(float32, device);
        using var _ = no_grad();
        var cases = property.Cases.Select(c => PropertyTensors.Of(c, float32.Description.Input, float32.Description.Output.Size, device)).ToArray();
        var generator = new Generator(unchecked((ulong)options.Seed), device);

        Counterexample? Falsify(FalsifyOptions budget, string stage, double? until = null)
        {
            bool Over() => Expired() || clock.Elapsed.TotalSeconds >= (until ?? double.PositiveInfinity);
            for (int i = 0; i < cases.Length && !Over(); i++)
            {
                using (enable_grad())
                    if (Falsifier.Search(float32, float64, cases[i], i, budget, generator, Over) is { } cex)
                    {
                        Note($"{stage}: counterexample in case {i}, clause {cex.Clause}");
                        return cex;
                    }
            }
            Note(Over() ? $"{stage}: stopped by {(Expired() ? "the time limit" : "its share of the time")}" : $"{stage}: none found ({budget.Restarts} starts × {budget.Steps} steps per clause)");
            return null;
        }

        if (Falsify(options.Quick, "pgd") is { } quick) return CrossChecked(quick, cases, float64, options, Note, Done);
        if (Expired()) return Done(Verdict.Timeout, "pgd");

        var open = cases.Select(c => Enumerable.Range(0, c.Clauses).ToHashSet()).ToArray();   // clauses not yet refuted
        // With branch and bound as the last stage the Triangle LP rung is skipped: branch and bound's root (α-CROWN with
        // optimised intermediate slopes) and its β-CROWN subdomains decide more per second than the LP proves.
        foreach (var domain in options.Rungs.Where(d => Applies(d, float32)))
        {
            if (Expired()) return Done(Verdict.Timeout, domain.Name);
            double gap = double.PositiveInfinity;
            for (int i = 0; i < cases.Length; i++)
                if (open[i].Count > 0)
                {
                    (IReadOnlyList<int> refuted, double worst) = ([], double.NegativeInfinity);
                    try { (refuted, worst) = Refute(float64, cases[i], open[i], domain, Expired); }
                    catch (OperationCanceledException) { return Done(Verdict.Timeout, domain.Name); }
                    open[i].ExceptWith(refuted);
                    gap = Math.Min(gap, worst);
                }
            int left = open.Sum(o => o.Count);
            Note(left == 0 ? $"{domain.Name}: every clause refuted" : FormattableString.Invariant(
                $"{domain.Name}: {left} clause(s) left (the least refuted clause's best row: lower bound − d = {gap:G4}, needs > 0)"));
            if (left == 0) return Done(Verdict.Unsat, domain.Name);
        }
        var rule = FalsifyOptions.Thorough(float32.Description.Input.Size);
        var thorough = options.Thorough is { } given ? given with { Restarts = given.Restarts > 0 ? given.Restarts : rule.Restarts } : rule;
        // Before branch and bound the thorough search gets at most a fifth of the time left.
        double? share = options.Bab is null ? null : clock.Elapsed.TotalSeconds + 0.2 * Math.Max(0, options.TimeoutSeconds - clock.Elapsed.TotalSeconds);
        if (Falsify(thorough, "pgd (thorough)", share) is { } late) return CrossChecked(late, cases, float64, options, Note, Done);
        if (options.Bab is not { } bab || Expired()) return Done(Expired() ? Verdict.Timeout : Verdict.Unknown, "none");

        // Branch and bound, clause by clause; a clause it cannot decide leaves the property unknown, but the others are
        // still tried for a counterexample.
        bool undecided = false;
        for (int i = 0; i < cases.Length; i++)
        {
            if (open[i].Count == 0) continue;
            var root = BranchAndBound.RootBounds(float64, cases[i].Lower, cases[i].Upper, cases[i].Rows, bab).Pre;   // shared by the case's clauses
            foreach (int q in open[i].Order().ToArray())
            {
                if (Expired()) return Done(Verdict.Timeout, "bab");
                var p = cases[i];
                var index = tensor(Enumerable.Range(0, p.ClauseOf.Length).Where(r => p.ClauseOf[r] == q).Select(r => (long)r).ToArray(), device: device);
                Counterexample? found = null;
                var result = BranchAndBound.Run(float64, p.Lower, p.Upper, p.Rows.index_select(0, index), p.Bounds.index_select(0, index), bab, Expired,
                    x => (found = Confirmed(float32, float64, p, i, q, x)) is not null, root);
                subproblems += result.Subproblems;
                Note(FormattableString.Invariant(
                    $"bab: case {i}, clause {q}: {result.Outcome.ToString().ToLowerInvariant()} ({result.Split.ToString().ToLowerInvariant()} splits, {result.Subproblems} subproblems, max queue {result.MaxQueue}, {result.Seconds:F1} s, bound {result.Bound:G4})"));
                if (found is not null) return CrossChecked(found, cases, float64, options, Note, Done, "bab");
                if (result.Outcome == BabOutcome.Verified) open[i].Remove(q);
                else undecided = true;
            }
        }
        return undecided ? Done(Expired() ? Verdict.Timeout : Verdict.Unknown, "bab") : Done(Verdict.Unsat, "bab");
    }

    /// <summary>The clauses among <paramref name="clauses"/> of case <paramref name="p"/> that <paramref name="domain"/>
    /// refutes on <paramref name="float64"/>: some row's lower bound minus its margin exceeds the row's bound d.</summary>
    public static IReadOnlyList<int> Refuted(NetworkModule float64, PropertyTensors p, IReadOnlySet<int> clauses, Domain domain) =>
        Refute(float64, p, clauses, domain, () => false).Refuted;

    /// <summary>Whether <paramref name="domain"/> can bound <paramref name="net"/>'s rows here: the Triangle LP only on fully
    /// connected networks of at most <see cref="LpNeuronLimit"/> ReLU neurons (one LP model per case, two LPs per unstable
    /// neuron).</summary>
    public static bool Applies(Domain domain, NetworkModule net) => domain is not TriangleLpDomain
        || (LpNetwork.Unsupported(net.Description) is null
            && net.Description.Layers.Where(l => l.Declaration.Kind == Layers.LayerKind.ReLU).Sum(l => l.Output.Size) <= LpNeuronLimit);

    /// <summary>The largest network (ReLU neurons) the ladder's Triangle LP rung runs on.</summary>
    public const long LpNeuronLimit = 600;

    // Lower bounds [1, M] of the rows by the Triangle LP over the case's box (GLOP, float64), neurons CROWN proves stable
    // skipped when the options say so; stops (OperationCanceledException) when the time is up.
    static Tensor LpRowLower(NetworkModule float64, PropertyTensors p, Tensor rows, TriangleLpOptions options, Func<bool> expired)
    {
        var lp = LpNetwork.From(float64).WithRows(rows[0].cpu().contiguous().data<double>().ToArray(), (int)rows.shape[1]);
        var lo = p.Lower.flatten().cpu().data<double>().ToArray();
        var hi = p.Upper.flatten().cpu().data<double>().ToArray();
        IReadOnlyList<(double[] Lower, double[] Upper)>? stable = null;
        if (options.SkipStable)
            stable = Propagators.For(float64).DeepPoly(p.Lower, p.Upper, new CrownOptions(), Spec.Eye(zeros(1, dtype: int64)), null, null).PreActivation
                .Select(b => (b.Lower.flatten().cpu().data<double>().ToArray(), b.Upper.flatten().cpu().data<double>().ToArray())).ToList();
        var example = TriangleLp.Example(lp, lo, hi, 0, SpecKind.Eye, options, stable,
            (_, _, _, _, _) => { if (expired()) throw new OperationCanceledException("time limit"); });
        return tensor(example.LogitLower!, dtype: ScalarType.Float64, device: p.Lower.device).unsqueeze(0);
    }

    // The refuted clauses, and over the clauses left the smallest best-row value (lower bound − margin − d; +∞ if none left).
    static (IReadOnlyList<int> Refuted, double Worst) Refute(NetworkModule float64, PropertyTensors p, IReadOnlySet<int> clauses, Domain domain,
        Func<bool> expired)
    {
        using var scope = NewDisposeScope();
        var rowIndex = Enumerable.Range(0, p.ClauseOf.Length).Where(m => clauses.Contains(p.ClauseOf[m])).ToArray();
        if (rowIndex.Length == 0) return ([], clauses.Count == 0 ? double.PositiveInfinity : double.NegativeInfinity);
        var index = tensor(rowIndex.Select(m => (long)m).ToArray(), device: p.Rows.device);
        var rows = p.Rows.index_select(0, index).unsqueeze(0);                                // [1, M', K]
        var lower = (domain is TriangleLpDomain t ? LpRowLower(float64, p, rows, t.Options, expired) : Verifier.RowLower(float64, p.Lower, p.Upper, rows, domain))
                    - DifferenceMargin.OfRows(float64, p.Lower, p.Upper, rows);
        var values = (lower[0] - p.Bounds.index_select(0, index)).cpu().data<double>().ToArray();
        var refuted = rowIndex.Where((m, j) => values[j] > 0).Select(m => p.ClauseOf[m]).ToHashSet();
        double worst = clauses.Where(q => !refuted.Contains(q))
            .Select(q => rowIndex.Select((m, j) => (m, j)).Where(t => p.ClauseOf[t.m] == q).Select(t => values[t.j]).DefaultIfEmpty(double.NegativeInfinity).Max())
            .DefaultIfEmpty(double.PositiveInfinity).Min();
        return (refuted.ToArray(), worst);
    }

    // A candidate of branch and bound ([1, …input], float64 inside the box) as a counterexample of clause q of case i: its
    // float32 values (moved into the box's float32 points) satisfy the clause in float32 and in float64; or null.
    internal static Counterexample? Confirmed(NetworkModule float32, NetworkModule float64, PropertyTensors p, int i, int q, Tensor x)
    {
        using var scope = NewDisposeScope();
        var (lo, hi) = (Falsifier.InsideFloat32(p.Lower, up: true), Falsifier.InsideFloat32(p.Upper, up: false));
        if (lo.gt(hi).any().item<bool>()) return null;
        var point = x.to(ScalarType.Float32).view(lo.shape).clamp(lo, hi);
        var y32 = float32.forward(point).flatten().to(ScalarType.Float64).cpu().data<double>().ToArray();
        var y64 = float64.forward(point.to(ScalarType.Float64)).flatten().cpu().data<double>().ToArray();
        return p.Satisfied(y32)[q] && p.Satisfied(y64)[q]
            ? new Counterexample(point.flatten().to(ScalarType.Float64).cpu().data<double>().ToArray(), y64, y32, i, q)
            : null;
    }

    static PropertyResult CrossChecked(Counterexample cex, PropertyTensors[] cases, NetworkModule float64, PropertyOptions options,
        Action<string> note, Func<Verdict, string, Counterexample?, PropertyResult> done, string method = "pgd")
    {
        var p = cases[cex.Case];
        foreach (var domain in options.Ladder.Take(2))
            if (Refuted(float64, p, new HashSet<int> { cex.Clause }, domain).Count > 0)
                throw new InvalidOperationException(
                    $"Soundness violation: {domain.Name} refutes clause {cex.Clause} of case {cex.Case}, which the counterexample satisfies. Please report this with the network and the property.");
        note($"cross-check: {string.Join(", ", options.Ladder.Take(2).Select(d => d.Name))} do not refute the counterexample's clause");
        return done(Verdict.Sat, method, cex);
    }
}
