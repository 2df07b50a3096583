namespace Certify.Functional.Training.Schedules;

/// <summary>
/// The reference's ε/κ/β scheduler (training.md §4.2), counted in completed optimizer steps s:
/// value(s) = start if s &lt; warmup; end if s ≥ warmup + mix; else start + (s − warmup)/mix · (end − start).
/// Pure: the position is the step count, so a resumed run needs nothing else.
/// </summary>
/// <param name="Start">Value during warm-up.</param>
/// <param name="End">Value after mixing.</param>
/// <param name="WarmupSteps">nb_batches · warmup_epochs.</param>
/// <param name="MixSteps">nb_batches · mix_epochs.</param>
public sealed record PhaseSchedule(double Start, double End, long WarmupSteps, long MixSteps)
{
    /// <summary>The value after <paramref name="completedSteps"/> optimizer steps.</summary>
    public double At(long completedSteps)
    {
        if (completedSteps < WarmupSteps) return Start;
        if (completedSteps >= WarmupSteps + MixSteps) return End;
        return Start + (double)(completedSteps - WarmupSteps) / MixSteps * (End - Start);
    }

    /// <summary>The same value at every step.</summary>
    public static PhaseSchedule Constant(double value) => new(value, value, 0, 0);

    /// <summary>The three schedules of a run from epochs and batches per epoch.</summary>
    public static PhaseSchedule FromEpochs(double start, double end, int warmupEpochs, int mixEpochs, long batchesPerEpoch) =>
        new(start, end, batchesPerEpoch * warmupEpochs, batchesPerEpoch * mixEpochs);
}
