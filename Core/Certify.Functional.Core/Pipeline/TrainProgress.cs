namespace Certify.Functional.Pipeline;

/// <summary>A progress report of a training run, sent after every optimizer step and at every evaluation.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="Batch">1-based batch within the epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Loss">Mean training loss so far in this epoch.</param>
/// <param name="Accuracy">Clean training accuracy so far in this epoch (0–1).</param>
/// <param name="ImagesPerSecond">Training throughput so far in this epoch.</param>
/// <param name="Eta">Estimated time until the run ends.</param>
/// <param name="Phase">"train" (after a step), "eval" (evaluation starts), "epoch" (epoch evaluated) or "done".</param>
/// <param name="TestAccuracy">Clean test accuracy, in the "epoch" report.</param>
public sealed record TrainProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss, double Accuracy,
    double ImagesPerSecond, TimeSpan Eta, string Phase, double? TestAccuracy = null);

/// <summary>What one epoch produced.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="TrainLoss">Mean training loss.</param>
/// <param name="TrainAccuracy">Clean training accuracy over the epoch (0–1).</param>
/// <param name="TestCorrect">Correctly classified test images.</param>
/// <param name="TestTotal">Test images evaluated.</param>
/// <param name="Seconds">Wall time of the epoch's training steps (data loading included, evaluation excluded).</param>
/// <param name="ImagesPerSecond">Training throughput.</param>
/// <param name="Checkpoint">Path of the checkpoint written at the end of the epoch.</param>
public sealed record EpochStats(int Epoch, double TrainLoss, double TrainAccuracy, int TestCorrect, int TestTotal,
    double Seconds, double ImagesPerSecond, string Checkpoint)
{
    /// <summary>Clean test accuracy (0–1).</summary>
    public double TestAccuracy => TestTotal == 0 ? 0 : (double)TestCorrect / TestTotal;
}
