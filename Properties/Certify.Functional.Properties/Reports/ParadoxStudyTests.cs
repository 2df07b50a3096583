using System.Text.Json;
using Certify.Functional.Reports.Paradox;
using Certify.Functional.Training;

namespace Certify.Functional.Properties.Reports;

/// <summary>The paradox study end to end on a tiny plan: every relaxation trains, the properties are measured on every
/// network and report.md, table.md, results.json and the four plots are written.</summary>
public class ParadoxStudyTests : TorchTest
{
    [Fact]
    public void A_tiny_study_writes_the_report_the_table_the_json_and_four_plots()
    {
        var dir = TempDir();
        try
        {
            var relaxations = ParadoxPlan.Table1.Where(r => r.Key is "box" or "hbox" or "crown").ToList();
            // Every stage runs, each at its smallest useful size (the default 201 slice points, 8 directions and 5 LP-width
            // images took two minutes of the CI budget; what is asserted here does not depend on them).
            var plan = new ParadoxPlan("FC-SMALL", 0.1, "quick", 2, 0.5, 1, 200, 50, 1, 10, 5, 1, dir, relaxations)
            { SlicePoints = 41, SensitivityDirections = 2, LpWidthImages = 1 };
            var result = ParadoxStudy.Run(plan, null, null, CancellationToken.None).Match(r => r, e => throw new Xunit.Sdk.XunitException(e.Message));
            var rows = result.Rows;
            Assert.Equal(3, rows.Count);
            foreach (var file in new[] { "report.md", "table.md", "results.json", "loss-slices.png", "tightness-vs-certified.png", "training-curves.png", "relu-envelope-box.png", "relu-envelope-crown.png" })
                Assert.True(new FileInfo(Path.Combine(dir, file)).Length > 100, $"{file} missing or empty");
            var report = File.ReadAllText(Path.Combine(dir, "report.md"));
            Assert.Contains("| Box |", report);
            Assert.Contains("Certified order Box ≥ hBox", report);
            Assert.Contains("(the core of the paradox, whatever hBox's place): seed 5: Box ", report);
            var first = ParadoxReport.BoxFirst(result.Rows);
            Assert.Equal(3, first.Count);
            Assert.InRange(first.HboxRank, 1, 3);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
            Assert.Equal(3, json.RootElement.GetProperty("rows").GetArrayLength());
            // Box is continuous in theory and its slice shows no persisting jump; Ŝ is measured for every relaxation on every network.
            var box = rows.Single(r => r.Trained.Relaxation.Key == "box").Properties;
            Assert.True(box.Theory.Continuous);
            Assert.Equal(0, box.Jumps);
            Assert.True(double.IsFinite(box.Sensitivity) && box.Sensitivity >= 0, $"Ŝ(Box) = {box.Sensitivity}");
            Assert.Equal(3, result.Panel.Networks.Count);
            Assert.All(result.Panel.Values, row => Assert.All(row, v => Assert.True(double.IsFinite(v) && v >= 0)));
            Assert.Equal(box.Sensitivity, result.Panel.At(0, "box"), 9);
            Assert.Contains("## Sensitivity of every relaxation on every trained network", report);
            // Switching-surface counts were taken after every epoch of every run.
            foreach (var r in rows) Assert.Equal(plan.Epochs, r.Trained.NearSwitchDuringTraining.Count);
            Assert.Contains("During training (epoch:", report);
            // The LP ratio of every relaxation lies in (0, 1] (within float32 rounding).
            foreach (var r in rows) Assert.InRange(r.Properties.LpWidthRatio!.Value, 1e-9, 1 + 1e-4);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("quick", 1)]
    [InlineData("default", 2)]
    [InlineData("extended", 2)]
    [InlineData("paper", 1)]
    public void Every_budget_gives_valid_configurations_with_one_folder_per_run(string budget, int seeds)
    {
        var common = ParadoxPlan.For(budget, "FC-SMALL", 0.3, 7, 1, "out").Match(p => p, e => throw new Xunit.Sdk.XunitException(e.Message));
        Assert.All(common.Relaxations, r => Assert.Equal("", r.Settings));
        var table2 = common with { Relaxations = common.Relaxations.Select(ParadoxPlan.WithTable2Settings).ToList() };
        Assert.Equal("κ → 0.5, L1 5E-05", table2.Relaxations.Single(r => r.Key == "hbox").Settings);
        Assert.Equal("spec eye", table2.Relaxations.Single(r => r.Key == "zono").Settings);
        foreach (var plan in new[] { common, table2 }) Valid(plan, budget, seeds);
        Assert.True(ParadoxPlan.For("nonsense", "FC-SMALL", 0.3, 0, 1, "out").IsFail);
    }

    static void Valid(ParadoxPlan plan, string budget, int seeds)
    {
        Assert.Equal(seeds, plan.Seeds.Count);
        Assert.Equal(7, plan.Seeds[0]);
        var configs = (from seed in plan.Seeds from r in plan.Relaxations select plan.TrainConfig(r, seed)).ToList();
        foreach (var c in configs)
            Assert.True(Certify.Functional.Training.TrainConfig.Validate(c, ["FC-SMALL"], ["mnist"]).IsSuccess, $"{budget}: {c.Domain} seed {c.Seed} does not validate");
        Assert.Equal(configs.Count, configs.Select(c => c.OutDir).Distinct().Count());
        // One schedule for every relaxation: everything but the domain, β, the relaxation's own Table-2 settings, seed and folder is equal.
        foreach (var r in plan.Relaxations)
        {
            var c = plan.TrainConfig(r);
            Assert.Equal((r.Kappa2, r.Regularization ?? plan.Regularization, r.Spec), (c.Kappa2, c.Regularization, c.Spec));
        }
        Assert.Single(configs.Select(c => c with { Domain = "box", VerifyDomains = [], Beta1 = 1, Beta2 = 1, Seed = 0, OutDir = "", Kappa2 = 0, Regularization = 0, Spec = "diffs" })
            .Select(c => System.Text.Json.JsonSerializer.Serialize(c)).Distinct());
    }

    [Fact]
    public void A_checkpoint_matches_its_run_wherever_the_folder_is()
    {
        var plan = ParadoxPlan.For("quick", "FC-SMALL", 0.3, 0, 1, Path.Combine("runs", "p")).Match(p => p, e => throw new Xunit.Sdk.XunitException(e.Message));
        var c = plan.TrainConfig(plan.Relaxations[0]);
        Assert.True(RunFolder.SameRun(c with { OutDir = Path.GetFullPath(c.OutDir), Threads = 2 }, c));
        Assert.True(RunFolder.SameRun(c with { OutDir = c.OutDir + "x" }, c));          // a moved run is the same run
        Assert.Equal([$"epochs: {c.Epochs} → {c.Epochs + 1}"], RunFolder.Differences(c, c with { Epochs = c.Epochs + 1 }));
    }
}
