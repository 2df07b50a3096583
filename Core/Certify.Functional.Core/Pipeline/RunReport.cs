using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Certify.Functional.Pipeline;

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

    /// <summary>Writes results.json and summary.md for <paramref name="outcome"/>.</summary>
    public static void Write(TrainOutcome outcome, TimeSpan elapsed)
    {
        var c = outcome.Config;
        var last = outcome.Epochs.LastOrDefault();
        var json = new
        {
            kind = "train",
            status = outcome.Status,
            config = c,
            machine = new { threads = c.Threads, device = c.Device, processors = Environment.ProcessorCount },
            elapsedSeconds = elapsed.TotalSeconds,
            final = last is null ? null : new { testAccuracy = last.TestAccuracy, testCorrect = last.TestCorrect, testTotal = last.TestTotal },
            finalModel = outcome.FinalModel,
            epochs = outcome.Epochs.Select(e => new
            {
                e.Epoch, e.TrainLoss, e.TrainAccuracy, e.TestCorrect, e.TestTotal, e.TestAccuracy, e.Seconds, e.ImagesPerSecond, e.Checkpoint,
            }),
        };
        AtomicFile.WriteAllText(Path.Combine(c.OutDir, "results.json"), JsonSerializer.Serialize(json, Json));

        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine($"# Training run: {c.Net} on {c.Dataset} ({c.Mode})").AppendLine();
        md.AppendLine($"Status: **{outcome.Status}**, {outcome.Epochs.Count}/{c.Epochs} epochs, {elapsed.TotalSeconds.ToString("F1", inv)} s wall, " +
                      $"{c.Threads} thread(s) on {c.Device}, seed {c.Seed}, batch {c.BatchSize}, Adam lr {c.LearningRate.ToString("G", inv)}.").AppendLine();
        if (last is not null)
            md.AppendLine($"Final clean test accuracy: **{(100 * last.TestAccuracy).ToString("F2", inv)} %** ({last.TestCorrect}/{last.TestTotal}).").AppendLine();
        md.AppendLine("| epoch | train loss | train acc | test acc | time (s) | images/s |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var e in outcome.Epochs)
            md.AppendLine(string.Create(inv, $"| {e.Epoch} | {e.TrainLoss:F4} | {100 * e.TrainAccuracy:F2} % | {100 * e.TestAccuracy:F2} % | {e.Seconds:F1} | {e.ImagesPerSecond:F0} |"));
        md.AppendLine().AppendLine($"Final weights: `{outcome.FinalModel}` (PyTorch state_dict; per-epoch checkpoints in `checkpoints/`).");
        AtomicFile.WriteAllText(Path.Combine(c.OutDir, "summary.md"), md.ToString());
    }
}
