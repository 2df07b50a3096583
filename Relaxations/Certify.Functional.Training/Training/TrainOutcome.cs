namespace Certify.Functional.Training;

/// <summary>How a training run ended.</summary>
/// <param name="Config">The validated configuration.</param>
/// <param name="Epochs">Statistics of every completed epoch.</param>
/// <param name="Status">Completed, running (in reports written between epochs) or interrupted.</param>
/// <param name="FinalModel">Path of the final weights (PyTorch state_dict), or of the checkpoint to resume from.</param>
/// <param name="Evaluation">The final evaluation, when the run completed.</param>
public sealed record TrainOutcome(TrainConfig Config, IReadOnlyList<EpochStats> Epochs, RunStatus Status, string FinalModel,
    EvaluationSummary? Evaluation = null);

/// <summary>How far a training run got.</summary>
public enum RunStatus
{
    /// <summary>Every epoch trained (and, when returned by the trainer, the final evaluation done).</summary>
    Completed,
    /// <summary>Still training (reports written between epochs).</summary>
    Running,
    /// <summary>Stopped by cancellation after writing a checkpoint; resumable.</summary>
    Interrupted,
}

/// <summary>The names of <see cref="RunStatus"/> in results.json ("completed", "running", "interrupted").</summary>
public static class RunStatusNames
{
    /// <summary>The status's name in results.json.</summary>
    public static string Name(this RunStatus status) => status switch
    {
        RunStatus.Completed => "completed",
        RunStatus.Running => "running",
        _ => "interrupted",
    };

    /// <summary>The status called <paramref name="name"/> (as written by <see cref="Name"/>), or null.</summary>
    public static RunStatus? Parse(string? name) => name switch
    {
        "completed" => RunStatus.Completed,
        "running" => RunStatus.Running,
        "interrupted" => RunStatus.Interrupted,
        _ => null,
    };
}

/// <summary>The final evaluation of a trained network on the first <paramref name="Images"/> test images.</summary>
/// <param name="Images">Test images evaluated (file order).</param>
/// <param name="Eps">ε of PGD and certification.</param>
/// <param name="Clean">Correctly classified images.</param>
/// <param name="PgdRobust">Images still correct after PGD (training.md §6), or null when PGD was skipped (--pgd-steps 0).</param>
/// <param name="Certified">Certified images per verify domain.</param>
/// <param name="PerImage">Path of the per-image CSV.</param>
/// <param name="Seconds">Wall time of the evaluation.</param>
public sealed record EvaluationSummary(int Images, double Eps, int Clean, int? PgdRobust, IReadOnlyList<CertifiedSummary> Certified,
    string PerImage, double Seconds);

/// <summary>What one verify domain certified.</summary>
/// <param name="Domain">Domain name as given.</param>
/// <param name="Certified">Certified images.</param>
/// <param name="Images">Images tried.</param>
/// <param name="Seconds">Wall time of the certification.</param>
public sealed record CertifiedSummary(string Domain, int Certified, int Images, double Seconds);
