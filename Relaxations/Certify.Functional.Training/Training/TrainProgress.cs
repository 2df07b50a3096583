namespace Certify.Functional.Training;

/// <summary>A progress report of a training run, sent after every optimizer step and at every evaluation.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="Batch">1-based batch within the epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Loss">Mean training loss so far in this epoch.</param>
/// <param name="Accuracy">Clean training accuracy so far in this epoch (0–1).</param>
/// <param name="ImagesPerSecond">Training throughput so far in this epoch.</param>
/// <param name="Eta">Estimated time until the run ends.</param>
/// <param name="Phase">After a step, evaluation starts, or epoch evaluated.</param>
/// <param name="TestAccuracy">Clean test accuracy, in the "epoch" report.</param>
/// <param name="Schedule">ε, κ, β, learning rate and smoothing σ of the last step (null for natural training without smoothing).</param>
/// <param name="CertifiedAccuracy">Fraction of this epoch's training examples certified by the train domain at the
/// scheduled ε (only steps with κ &lt; 1 count), or null.</param>
public sealed record TrainProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss, double Accuracy,
    double ImagesPerSecond, TimeSpan Eta, TrainPhase Phase, double? TestAccuracy = null, StepValues? Schedule = null,
    double? CertifiedAccuracy = null);

/// <summary>What a <see cref="TrainProgress"/> report follows.</summary>
public enum TrainPhase
{
    /// <summary>An optimizer step.</summary>
    Train,
    /// <summary>The epoch's evaluation starts.</summary>
    Eval,
    /// <summary>The epoch is evaluated (the report carries the test accuracy).</summary>
    Epoch,
}

/// <summary>The scheduled values of one optimizer step.</summary>
/// <param name="Eps">ε of the abstract loss (or of PGD training).</param>
/// <param name="Kappa">Weight of the clean cross-entropy (1 = natural).</param>
/// <param name="Beta">CROWN-IBP mixing weight.</param>
/// <param name="LearningRate">Learning rate of the step.</param>
/// <param name="Sigma">σ of the Gaussian loss smoothing of the step (null when the run does not smooth).</param>
public sealed record StepValues(double Eps, double Kappa, double Beta, double LearningRate, double? Sigma = null);

/// <summary>Running sums of the epoch in progress (part of a checkpoint, so a resumed epoch reports the same).</summary>
/// <param name="LossSum">Σ loss·batch size.</param>
/// <param name="Correct">Correctly classified training examples (clean).</param>
/// <param name="Certified">Certified training examples (steps with an abstract loss).</param>
/// <param name="CertifiedSeen">Examples of steps with an abstract loss.</param>
/// <param name="Seen">Examples trained on.</param>
/// <param name="Seconds">Training wall time of the epoch so far.</param>
public sealed record EpochTally(double LossSum, long Correct, long Certified, long CertifiedSeen, long Seen, double Seconds)
{
    /// <summary>Nothing seen yet.</summary>
    public static EpochTally Empty { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>The tally after a step on <paramref name="examples"/> examples, with the epoch's training time so far.</summary>
    public EpochTally Plus(StepStats step, int examples, double seconds) =>
        new(LossSum + step.LossSum, Correct + step.Correct, Certified + (step.Certified ?? 0), CertifiedSeen + (step.Certified is null ? 0 : examples),
            Seen + examples, seconds);

    /// <summary>Mean loss.</summary>
    public double Loss => Seen == 0 ? 0 : LossSum / Seen;
    /// <summary>Clean training accuracy.</summary>
    public double Accuracy => Seen == 0 ? 0 : (double)Correct / Seen;
    /// <summary>Certified training accuracy, or null when no step had an abstract loss.</summary>
    public double? CertifiedAccuracy => CertifiedSeen == 0 ? null : (double)Certified / CertifiedSeen;
}

/// <summary>What one epoch produced.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="TrainLoss">Mean training loss.</param>
/// <param name="TrainAccuracy">Clean training accuracy over the epoch (0–1).</param>
/// <param name="TestCorrect">Correctly classified test images.</param>
/// <param name="TestTotal">Test images evaluated.</param>
/// <param name="Seconds">Wall time of the epoch's training steps (data loading included, evaluation excluded).</param>
/// <param name="ImagesPerSecond">Training throughput.</param>
/// <param name="Checkpoint">Path of the checkpoint written at the end of the epoch.</param>
/// <param name="TrainCertifiedAccuracy">Certified training accuracy at the scheduled ε (null when κ was 1 throughout).</param>
/// <param name="Schedule">ε, κ, β, learning rate and smoothing σ of the epoch's last step (null for natural training
/// without smoothing).</param>
public sealed record EpochStats(int Epoch, double TrainLoss, double TrainAccuracy, int TestCorrect, int TestTotal,
    double Seconds, double ImagesPerSecond, string Checkpoint, double? TrainCertifiedAccuracy = null, StepValues? Schedule = null)
{
    /// <summary>Clean test accuracy (0–1).</summary>
    public double TestAccuracy => TestTotal == 0 ? 0 : (double)TestCorrect / TestTotal;
}
