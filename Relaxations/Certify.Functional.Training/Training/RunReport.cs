using Certify.Functional.Runtime;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Certify.Functional.Training;

/// <summary>Writes a run's results as <c>results.json</c> (machine-readable) and <c>summary.md</c> (for people),
/// both atomically, into the run's output folder.</summary>
public static class RunReport
{
    /// <summary>Shared JSON options: indented, camelCase, NaN/∞ as strings.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Writes results.json and summary.md for <paramref name="outcome"/> of <paramref name="plan"/>, trained by
    /// <paramref name="ranks"/> processes (data parallel, docs/cluster.md).</summary>
    public static void Write(TrainPlan plan, TrainOutcome outcome, TimeSpan elapsed, int ranks = 1)
    {
        var c = outcome.Config;
        var last = outcome.Epochs.LastOrDefault();
        var json = new
        {
            kind = "train",
            status = outcome.Status.Name(),
            config = c,
            machine = new { threads = c.Threads, ranks, device = c.Device, processors = Environment.ProcessorCount },
            elapsedSeconds = elapsed.TotalSeconds,
            final = last is null ? null : new { testAccuracy = last.TestAccuracy, testCorrect = last.TestCorrect, testTotal = last.TestTotal },
            evaluation = outcome.Evaluation is not { } e0 ? null : new
            {
                images = e0.Images, eps = e0.Eps,
                clean = new { correct = e0.Clean, accuracy = (double)e0.Clean / Math.Max(e0.Images, 1) },
                pgd = e0.PgdRobust is not { } r0 ? null : new { robust = r0, accuracy = (double)r0 / Math.Max(e0.Images, 1), steps = c.PgdSteps, stepSize = c.PgdStepSize, restarts = c.PgdRestarts },
                certified = e0.Certified.Select(d => new { domain = d.Domain, certified = d.Certified, images = d.Images, accuracy = (double)d.Certified / Math.Max(d.Images, 1), seconds = d.Seconds }),
                perImage = e0.PerImage, seconds = e0.Seconds,
            },
            trainImagesPerSecond = outcome.Epochs.Count == 0 ? 0 : outcome.Epochs.Sum(e => e.Seconds * e.ImagesPerSecond) / Math.Max(outcome.Epochs.Sum(e => e.Seconds), 1e-9),
            finalModel = outcome.FinalModel,
            epochs = outcome.Epochs.Select(e => new
            {
                e.Epoch, e.TrainLoss, e.TrainAccuracy, e.TrainCertifiedAccuracy, e.TestCorrect, e.TestTotal, e.TestAccuracy, e.Seconds, e.ImagesPerSecond,
                eps = e.Schedule?.Eps, kappa = e.Schedule?.Kappa, beta = e.Schedule?.Beta, learningRate = e.Schedule?.LearningRate,
                sigma = e.Schedule?.Sigma, e.Checkpoint,
            }),
        };
        AtomicFile.WriteAllText(Path.Combine(c.OutDir, "results.json"), JsonSerializer.Serialize(json, Json));

        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        string what = plan.Mode is TrainMode.Certified ? $"certified, {c.Domain}" : c.Mode;
        md.AppendLine($"# Training run: {c.Net} on {c.Dataset} ({what}{(c.Preset is null ? "" : $", preset {c.Preset}")}{(c.Budget is null ? "" : $", budget {c.Budget}")})").AppendLine();
        md.AppendLine($"Status: **{outcome.Status.Name()}**, {outcome.Epochs.Count}/{c.Epochs} epochs, {elapsed.TotalSeconds.ToString("F1", inv)} s wall, " +
                      $"{c.Threads} thread(s){(ranks > 1 ? $" × {ranks} ranks" : "")} on {c.Device}, seed {c.Seed}, batch {c.BatchSize}, Adam lr {c.LearningRate.ToString("G", inv)}.").AppendLine();
        if (plan.Mode is not TrainMode.Natural)
            md.AppendLine(string.Create(inv, $"Schedule: ε {c.EpsStart:G4} → {c.Eps:G4}, κ {c.Kappa1:G4} → {c.Kappa2:G4}, β {c.Beta1:G4} → {c.Beta2:G4}; warm-up {c.WarmupEpochs:G4}, mix {c.MixEpochs:G4} of {c.Epochs} epochs; λ ({c.RegularizationKind}) {c.Regularization:G4}; spec {c.Spec}; LR {c.LrSchedule}{(c.LrMilestones.Count > 0 ? " " + string.Join(",", c.LrMilestones) : "")}.")).AppendLine();
        if (c.InitFrom is { } from) md.AppendLine($"Started from the weights `{from}` (fine-tuning), not from a fresh initialization.").AppendLine();
        bool smoothed = plan.Smoothing is GaussianSmoothing;
        if (smoothed)
            md.AppendLine(string.Create(inv, $"Loss smoothing: {c.Smoothing}, σ {c.SmoothingSigma:G4}{(c.SmoothingSigmaEnd is { } end ? $" → {end:G4} (linear over the run)" : "")}, " +
                $"{c.SmoothingSamples} {(plan.Smoothing is PgpeSmoothing ? "antithetic pairs" : "samples")} per step; the certification below uses the plain relaxation.")).AppendLine();
        if (outcome.Evaluation is { } ev)
        {
            md.AppendLine(string.Create(inv, $"## Final evaluation (first {ev.Images} test images, ε {ev.Eps:G4})")).AppendLine();
            md.AppendLine(Markdown.Row("measure", "images", "accuracy")).AppendLine(Markdown.Separator("lrr"));
            string Share(int count) => string.Create(inv, $"{100.0 * count / Math.Max(ev.Images, 1):F2} %");
            md.AppendLine(Markdown.Row("clean", $"{ev.Clean}/{ev.Images}", Share(ev.Clean)));
            if (ev.PgdRobust is { } robust)
                md.AppendLine(Markdown.Row(string.Create(inv, $"PGD ({c.PgdSteps} steps of {c.PgdStepSize:G4}, {c.PgdRestarts} restart(s))"), $"{robust}/{ev.Images}", Share(robust)));
            foreach (var d in ev.Certified)
                md.AppendLine(Markdown.Row(string.Create(inv, $"certified, {d.Domain} ({d.Seconds:F1} s)"), $"{d.Certified}/{d.Images}", Share(d.Certified)));
            md.AppendLine().AppendLine($"Per image: `{ev.PerImage}`.").AppendLine();
        }
        else if (last is not null)
            md.AppendLine($"Clean test accuracy after the last epoch: **{(100 * last.TestAccuracy).ToString("F2", inv)} %** ({last.TestCorrect}/{last.TestTotal}).").AppendLine();
        string[] sigma = smoothed ? ["σ"] : [];
        md.AppendLine(Markdown.Row(["epoch", "ε", "κ", "β", "lr", .. sigma, "train loss", "train acc", "train certified", "test acc", "time (s)", "images/s"]));
        md.AppendLine(Markdown.Separator(new string('r', smoothed ? 12 : 11)));
        foreach (var e in outcome.Epochs)
        {
            string F(FormattableString f) => f.ToString(inv);
            string[] sigmaCell = smoothed ? [F($"{e.Schedule?.Sigma:G3}")] : [];
            md.AppendLine(Markdown.Row([F($"{e.Epoch}"), F($"{e.Schedule?.Eps:G3}"), F($"{e.Schedule?.Kappa:G3}"), F($"{e.Schedule?.Beta:G3}"), F($"{e.Schedule?.LearningRate:G3}"), .. sigmaCell,
                F($"{e.TrainLoss:F4}"), F($"{100 * e.TrainAccuracy:F2} %"), e.TrainCertifiedAccuracy is { } tc ? F($"{100 * tc:F2} %") : "–", F($"{100 * e.TestAccuracy:F2} %"),
                F($"{e.Seconds:F1}"), F($"{e.ImagesPerSecond:F0}")]));
        }
        md.AppendLine().AppendLine($"Final weights: `{outcome.FinalModel}` (PyTorch state_dict; per-epoch weights in `checkpoints/`, the full resumable state in `checkpoints/last.ckpt`).");
        AtomicFile.WriteAllText(Path.Combine(c.OutDir, "summary.md"), md.ToString());
    }
}
