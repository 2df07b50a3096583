using System.Text.Json;
using Certify.Functional.Reports.Paradox;

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
            var plan = new ParadoxPlan("FC-SMALL", 0.1, "quick", 2, 0.5, 1, 200, 50, 2, 10, 5, 1, dir, relaxations);
            var rows = ParadoxStudy.Run(plan, null, null, CancellationToken.None).Match(r => r, e => throw new Xunit.Sdk.XunitException(e.Message));
            Assert.Equal(3, rows.Count);
            foreach (var file in new[] { "report.md", "table.md", "results.json", "loss-slices.png", "tightness-vs-certified.png", "training-curves.png", "relu-envelope-box.png", "relu-envelope-crown.png" })
                Assert.True(new FileInfo(Path.Combine(dir, file)).Length > 100, $"{file} missing or empty");
            var report = File.ReadAllText(Path.Combine(dir, "report.md"));
            Assert.Contains("| Box |", report);
            Assert.Contains("Certified order Box ≥ hBox", report);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
            Assert.Equal(3, json.RootElement.GetProperty("rows").GetArrayLength());
            // Box is continuous in theory and its slice shows no persisting jump; its sensitivity relative to itself is 1.
            var box = rows.Single(r => r.Trained.Relaxation.Key == "box").Properties;
            Assert.True(box.Theory.Continuous);
            Assert.Equal(0, box.Jumps);
            Assert.Equal(1.0, box.SensitivityVsBox, 6);
            // Switching-surface counts were taken after every epoch of every run.
            foreach (var r in rows) Assert.Equal(plan.Epochs, r.Trained.NearSwitchDuringTraining.Count);
            Assert.Contains("During training (epoch:", report);
            // The LP ratio of every relaxation lies in (0, 1] (within float32 rounding).
            foreach (var r in rows) Assert.InRange(r.Properties.LpWidthRatio!.Value, 1e-9, 1 + 1e-4);
        }
        finally { Directory.Delete(dir, true); }
    }
}
