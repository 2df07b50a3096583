using Certify.Functional.Reports.Paradox;

namespace Certify.Functional.Properties.Reports;

/// <summary>Smoothing re-judged by fine-tuning a finished study's DeepZ and CROWN networks (issue 13, item 5): the plan refuses
/// a study that has not run, starts every arm from the study's weights of its own seed, and the verdicts need every seed.</summary>
public class SmoothingFinetuneTests : TorchTest
{
    static ParadoxPlan Study(string dir) =>
        new ParadoxPlan("FC-SMALL", 0.1, "quick", 1, 0, 1, 100, 20, 0, 10, 5, 1, dir, ParadoxPlan.Table1.Where(r => r.Key is "box" or "zono" or "crown").ToList())
        { BatchSize = 50, Milestones = [], SeedCount = 1 };

    [Fact]
    public void Fine_tuning_a_missing_study_is_refused_with_the_command_that_runs_it()
    {
        var dir = TempDir();
        try
        {
            var plan = SmoothingFinetune.Plan(Study(dir), 1, null, 0.01, 1);
            var message = plan.Match(_ => "", e => e.Message);
            Assert.Contains("certify paradox --budget quick", message);
            Assert.Contains(Path.Combine(dir, "zono", "seed5"), message);
            Assert.True(SmoothingFinetune.Plan(Study(dir), 0, null, 0.01, 1).IsFail);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Every_arm_starts_from_its_own_relaxations_network_and_the_report_is_written()
    {
        var dir = TempDir();
        try
        {
            var study = Study(dir);
            Assert.True(ParadoxTraining.Run(study, null, null, CancellationToken.None).IsSucc);
            var plan = SmoothingFinetune.Plan(study, 1, null, 0.01, 1).Match(p => p, e => throw new Xunit.Sdk.XunitException(e.Message));
            Assert.Equal(["zono-plain", "zono-rgs", "crown-plain", "crown-rgs", "crown-pgpe"], plan.Relaxations.Select(r => r.Key));
            foreach (var r in plan.Relaxations)
            {
                var c = plan.TrainConfig(r, 5);
                Assert.Equal(Path.GetFullPath(Path.Combine(dir, r.StartFrom!, "seed5", "model.pt")), c.InitFrom);
                Assert.Equal((0.0, 0.0, study.Eps), (c.WarmupEpochs, c.MixEpochs, c.Eps));
                Assert.Equal(study.Relaxations.Single(s => s.Key == r.StartFrom).Domain, c.Domain);
            }
            var rows = SmoothingFinetune.Run(plan, null, null, CancellationToken.None).Match(r => r, e => throw new Xunit.Sdk.XunitException(e.Message));
            Assert.Equal(5, rows.Count);
            Assert.All(rows, r => Assert.True(double.IsFinite(r.Certified) && double.IsFinite(r.Box) && double.IsFinite(r.StartCertified)));
            var report = File.ReadAllText(Path.Combine(plan.OutDir, "report.md"));
            Assert.Contains("Does smoothing put a tight relaxation above Box", report);
            Assert.True(File.Exists(Path.Combine(plan.OutDir, "results.json")));
        }
        finally { Directory.Delete(dir, true); }
    }

    static FinetuneRow Row(long seed, string start, string arm, double certified, double box) =>
        new(seed, new StudiedRelaxation(start, $"{start}-{arm}", start, start, Smoothing: arm) { StartFrom = start }, arm, 0.1, certified, 0.5, box, 1);

    [Fact]
    public void A_verdict_holds_only_when_every_seed_says_so()
    {
        // Seed 0: CROWN + RGS reaches Box and beats plain; seed 1: it does neither.
        var rows = new[]
        {
            Row(0, "crown", "none", 0.20, 0.40), Row(0, "crown", "rgs", 0.41, 0.40),
            Row(1, "crown", "none", 0.20, 0.40), Row(1, "crown", "rgs", 0.19, 0.40),
        };
        var (above, versus) = SmoothingFinetune.Verdicts(rows);
        Assert.False(above);
        Assert.Equal([("crown-rgs", false)], versus);
        var both = rows.Take(2).Concat([Row(1, "crown", "none", 0.20, 0.40), Row(1, "crown", "rgs", 0.45, 0.40)]).ToArray();
        (above, versus) = SmoothingFinetune.Verdicts(both);
        Assert.True(above);
        Assert.Equal([("crown-rgs", true)], versus);
    }
}
