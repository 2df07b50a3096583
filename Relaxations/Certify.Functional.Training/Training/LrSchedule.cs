using Certify.Functional.Training.Schedules;

namespace Certify.Functional.Training;

/// <summary>Learning-rate schedules as pure functions of the position in the run (epoch, batch), so a resumed run
/// needs no scheduler state.</summary>
public static class LrSchedule
{
    /// <summary>Schedule names: constant; cosine (½(1 + cos(π·step/total)), from the base rate to 0); milestones
    /// (MultiStepLR ×0.1 at <see cref="TrainConfig.LrMilestones"/>, stepped every batch); step (StepLR ×0.5 every
    /// <see cref="TrainConfig.LrStepEpochs"/> epochs, 20 by default) and tenhalf (every half of that: 10 epochs), stepped only after warm-up + mix (training.md §4.3).</summary>
    public static IReadOnlyList<string> Names { get; } = ["constant", "cosine", "milestones", "step", "tenhalf"];

    /// <summary>The factor applied to the base learning rate after <paramref name="step"/> of
    /// <paramref name="totalSteps"/> steps: "constant" = 1; "cosine" = ½(1 + cos(π·step/total)), from 1 to 0.</summary>
    public static double Factor(string schedule, long step, long totalSteps) => schedule switch
    {
        "constant" => 1.0,
        "cosine" => 0.5 * (1 + Math.Cos(Math.PI * Math.Clamp((double)step / Math.Max(totalSteps, 1), 0, 1))),
        _ => throw new ArgumentException($"Schedule '{schedule}' is not a step-fraction schedule; use Rate."),
    };

    /// <summary>The learning rate of batch <paramref name="batch"/> (0-based) of epoch <paramref name="epoch"/> (0-based)
    /// of a run with <paramref name="batchesPerEpoch"/> batches per epoch.</summary>
    public static double Rate(TrainConfig c, int epoch, long batch, long batchesPerEpoch)
    {
        long completed = epoch * batchesPerEpoch + batch;
        int rampEnd = (int)Math.Ceiling(c.WarmupEpochs + c.MixEpochs - 1e-9);
        return c.LrSchedule switch
        {
            "constant" or "cosine" => c.LearningRate * Factor(c.LrSchedule, completed, c.Epochs * batchesPerEpoch),
            "milestones" => MilestoneSchedule.FromFlags(c.LearningRate, c.LrMilestones, c.Epochs, batchesPerEpoch)
                .At(new SchedulerSteps(true, rampEnd, c.ReferenceLrExtraStep).Before(epoch, batch, batchesPerEpoch)),
            "step" or "tenhalf" => new StepSchedule(c.LearningRate, Math.Max(1, (long)Math.Round((c.LrSchedule == "step" ? c.LrStepEpochs : c.LrStepEpochs / 2) * batchesPerEpoch)))
                .At(new SchedulerSteps(false, rampEnd, c.ReferenceLrExtraStep).Before(epoch, batch, batchesPerEpoch)),
            _ => throw new ArgumentException($"Unknown learning-rate schedule '{c.LrSchedule}'. Known: {string.Join(", ", Names)}."),
        };
    }
}
