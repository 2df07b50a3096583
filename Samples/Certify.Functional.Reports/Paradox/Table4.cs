using Certify.Functional.Runtime;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Certify.Functional.Data;
using Certify.Functional.Training;
using Certify.Functional.Samples;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Functional.Reports.Paradox;

/// <summary>One cell of the loose-Box grid (relaxations.md §3.12): widening ω, and W discontinuities per unit (0 = the continuous
/// "C" widening; W &gt; 0 = the discontinuous "DC" rounding), one seed.</summary>
/// <param name="Omega">ω.</param>
/// <param name="PerUnit">W (0 = continuous).</param>
/// <param name="Seed">Seed.</param>
/// <param name="Certified">Certified accuracy by the loosened relaxation itself.</param>
/// <param name="Clean">Clean accuracy.</param>
/// <param name="Seconds">Training wall time.</param>
public sealed record Table4Cell(double Omega, int PerUnit, long Seed, double Certified, double Clean, double Seconds)
{
    /// <summary>The domain name trained and verified with.</summary>
    public string Domain => PerUnit == 0
        ? string.Create(CultureInfo.InvariantCulture, $"box:widen={Omega}")
        : string.Create(CultureInfo.InvariantCulture, $"box:round={Omega},per-unit={PerUnit}");
}

/// <summary>
/// <c>certify paradox --table4</c>: the paper's Table-4 experiment on a reduced grid — Box training with the
/// continuous widening (C) against the discontinuous rounding (DC) of the same ω, on average tighter, with more
/// discontinuities as W grows. The paradox predicts DC certifies less than C and degrades with W. Every cell uses the
/// paradox plan's schedule with Box; certification is by the loosened relaxation itself (as the reference did).
/// </summary>
public static class Table4
{
    /// <summary>The grid: ω ∈ {0.01, 0.1} (the smallest of the paper's ω; larger ones collapse FC-SMALL at short budgets), W ∈ {0 (C), 1, 10, 100}, two seeds.</summary>
    public static IReadOnlyList<(double Omega, int PerUnit, long Seed)> Grid(ParadoxPlan plan) =>
        (from omega in new[] { 0.01, 0.1 } from w in new[] { 0, 1, 10, 100 } from s in new[] { plan.Seed, plan.Seed + 1 } select (omega, w, s)).ToList();

    /// <summary>Trains and certifies every cell; writes table4.md, table4.json and table4.png into <c>{out}/table4</c>.</summary>
    public static Fin<IReadOnlyList<Table4Cell>> Run(ParadoxPlan plan, ParadoxProgress? progress, CancellationToken cancel)
    {
        var data = StudyData.Load(plan);
        if (data.IsFail) return data.Map(_ => (IReadOnlyList<Table4Cell>)[]);
        var (train, test, catalog) = (StudyData)data;
        var dir = Path.Combine(plan.OutDir, "table4");

        var cells = new List<Table4Cell>();
        foreach (var (omega, w, seed) in Grid(plan))
        {
            if (cancel.IsCancellationRequested) break;
            var cell = new Table4Cell(omega, w, seed, 0, 0, 0);
            var config = plan.TrainConfig(new StudiedRelaxation("Box", "box", cell.Domain, cell.Domain)) with
            {
                Seed = seed, PgdSteps = 0, OutDir = Path.Combine(dir, $"omega{omega.ToString(CultureInfo.InvariantCulture)}-w{w}-seed{seed}"),
            };
            progress?.Invoke("table4", $"{cell.Domain}, seed {seed}");
            var run = catalog.Trainer(config).Run(train.Take(plan.TrainImages), test, new TrainRun(Cancel: cancel));
            if (run.Case is Error failed) return FinFail<IReadOnlyList<Table4Cell>>(failed);
            var o = (TrainOutcome)run;
            if (o.Status is not RunStatus.Completed || o.Evaluation is not { } ev) break;
            cells.Add(cell with
            {
                Certified = (double)ev.Certified[0].Certified / ev.Images, Clean = (double)ev.Clean / ev.Images, Seconds = o.Epochs.Sum(e => e.Seconds),
            });
        }
        Write(dir, plan, cells);
        return FinSucc<IReadOnlyList<Table4Cell>>(cells);
    }

    static void Write(string dir, ParadoxPlan plan, IReadOnlyList<Table4Cell> cells)
    {
        var inv = CultureInfo.InvariantCulture;
        var groups = cells.GroupBy(c => (c.Omega, c.PerUnit)).OrderBy(g => g.Key.Omega).ThenBy(g => g.Key.PerUnit).ToList();
        var md = new StringBuilder();
        md.AppendLine("# Table 4 (reduced): continuous widening (C) vs discontinuous rounding (DC) of Box").AppendLine();
        md.AppendLine(string.Create(inv, $"{plan.Net}, MNIST subset ({plan.TrainImages} training images), ε {plan.Eps}, {plan.Epochs} epochs (warm-up {plan.WarmupEpochs}, mix {plan.MixEpochs}), " +
                                         $"seeds {string.Join(", ", cells.Select(c => c.Seed).Distinct())}, certified on the first {plan.TestImages} test images by the loosened relaxation itself.")).AppendLine();
        md.AppendLine(Markdown.Row("ω", "variant", "W", "certified (mean over seeds)", "clean", "per seed")).AppendLine(Markdown.Separator("rlrrrl"));
        foreach (var g in groups)
            md.AppendLine(Markdown.Row(g.Key.Omega.ToString(inv), g.Key.PerUnit == 0 ? "C (widen)" : "DC (round)", g.Key.PerUnit == 0 ? "–" : g.Key.PerUnit.ToString(inv),
                string.Create(inv, $"{100 * g.Average(c => c.Certified):F2} %"), string.Create(inv, $"{100 * g.Average(c => c.Clean):F2} %"),
                string.Join(", ", g.Select(c => (100 * c.Certified).ToString("F1", inv)))));
        md.AppendLine().AppendLine("The paradox predicts: at equal ω, DC (tighter on average, discontinuous) certifies *less* than C, and less as W grows.");
        AtomicFile.WriteAllText(Path.Combine(dir, "table4.md"), md.ToString());
        AtomicFile.WriteAllText(Path.Combine(dir, "table4.json"), JsonSerializer.Serialize(new { plan, cells }, RunReport.Json));
        var series = groups.GroupBy(g => g.Key.Omega).Select(byOmega => new Series(string.Create(inv, $"ω = {byOmega.Key}: C at W = 0, DC at W > 0"),
            byOmega.Select(g => Math.Log10(Math.Max(g.Key.PerUnit, 0.1))).ToArray(), byOmega.Select(g => 100 * g.Average(c => c.Certified)).ToArray()));
        Plots.Lines(Path.Combine(dir, "table4.png"), "Loose Box: certified accuracy vs discontinuities per unit", "log10 W (−1 = continuous widening)",
            "certified accuracy (%)", series);
    }
}
