using Certify.Functional.Errors;
using Certify.Functional.Training.Schedules;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Functional.Training;

/// <summary>
/// The learning-rate schedule of a run as parsed from the configuration (<see cref="From"/>): constant; cosine
/// (½(1 + cos(π·step/total)), from the base rate to 0); milestones (MultiStepLR ×0.1 at <see cref="TrainConfig.LrMilestones"/>,
/// stepped every batch); step (StepLR ×0.5 every <see cref="TrainConfig.LrStepEpochs"/> epochs, 20 by default) and tenhalf
/// (every half of that: 10 epochs), stepped only after warm-up + mix (training.md §4.3). <see cref="ForRun"/> binds it to a run's
/// batch count once; the result is a pure function of the position (epoch, batch), so a resumed run needs no scheduler state.
/// </summary>
/// <param name="BaseRate">The peak learning rate.</param>
public abstract record LrSchedule(double BaseRate)
{
    /// <summary>Schedule names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["constant", "cosine", "milestones", "step", "tenhalf"];

    /// <summary>The learning rates of a run of <paramref name="epochs"/> epochs of <paramref name="batchesPerEpoch"/> batches.</summary>
    public abstract LearningRates ForRun(int epochs, long batchesPerEpoch);

    /// <summary>The base rate throughout.</summary>
    public sealed record Constant(double BaseRate) : LrSchedule(BaseRate)
    {
        /// <inheritdoc/>
        public override LearningRates ForRun(int epochs, long batchesPerEpoch) => new ConstantRates(BaseRate);
    }

    /// <summary>½(1 + cos(π·step/total)) times the base rate, from the base rate to 0 over the run.</summary>
    public sealed record Cosine(double BaseRate) : LrSchedule(BaseRate)
    {
        /// <inheritdoc/>
        public override LearningRates ForRun(int epochs, long batchesPerEpoch) => new CosineRates(BaseRate, epochs * batchesPerEpoch, batchesPerEpoch);
    }

    /// <summary>MultiStepLR ×0.1 at <paramref name="Points"/> (m ≥ 1: epochs; m &lt; 1: fractions of the run), stepped every batch.</summary>
    /// <param name="BaseRate">The initial rate.</param>
    /// <param name="Points">The milestones as given.</param>
    /// <param name="RampEndEpoch">warmup + mix epochs (rounded up).</param>
    /// <param name="ExtraEpochStep">The reference's extra scheduler step per epoch (training.md §4.3, quirk 5).</param>
    public sealed record Milestones(double BaseRate, IReadOnlyList<double> Points, int RampEndEpoch, bool ExtraEpochStep) : LrSchedule(BaseRate)
    {
        /// <inheritdoc/>
        public override LearningRates ForRun(int epochs, long batchesPerEpoch) => new ScheduledRates(
            MilestoneSchedule.FromFlags(BaseRate, Points, epochs, batchesPerEpoch), new SchedulerSteps(true, RampEndEpoch, ExtraEpochStep), batchesPerEpoch);
    }

    /// <summary>StepLR ×0.5 every <paramref name="PeriodEpochs"/> epochs, stepped only from epoch <paramref name="RampEndEpoch"/> on.</summary>
    /// <param name="BaseRate">The initial rate.</param>
    /// <param name="PeriodEpochs">Epochs between halvings ("step": --lr-step-epochs; "tenhalf": half of it).</param>
    /// <param name="RampEndEpoch">warmup + mix epochs (rounded up).</param>
    /// <param name="ExtraEpochStep">The reference's extra scheduler step per epoch (training.md §4.3, quirk 5).</param>
    public sealed record Halving(double BaseRate, double PeriodEpochs, int RampEndEpoch, bool ExtraEpochStep) : LrSchedule(BaseRate)
    {
        /// <inheritdoc/>
        public override LearningRates ForRun(int epochs, long batchesPerEpoch) => new ScheduledRates(
            new StepSchedule(BaseRate, Math.Max(1, (long)Math.Round(PeriodEpochs * batchesPerEpoch))), new SchedulerSteps(false, RampEndEpoch, ExtraEpochStep),
            batchesPerEpoch);
    }

    /// <summary>The schedule <see cref="TrainConfig.LrSchedule"/> names, with the configuration's rate, milestones, period,
    /// phase lengths and compatibility flag.</summary>
    public static Fin<LrSchedule> From(TrainConfig c)
    {
        int rampEnd = (int)Math.Ceiling(c.WarmupEpochs + c.MixEpochs - 1e-9);
        return ConfigNames.LearningRate(c.LrSchedule) switch
        {
            LrName.Constant => FinSucc<LrSchedule>(new Constant(c.LearningRate)),
            LrName.Cosine => FinSucc<LrSchedule>(new Cosine(c.LearningRate)),
            LrName.Milestones => FinSucc<LrSchedule>(new Milestones(c.LearningRate, c.LrMilestones, rampEnd, c.ReferenceLrExtraStep)),
            LrName.Step => FinSucc<LrSchedule>(new Halving(c.LearningRate, c.LrStepEpochs, rampEnd, c.ReferenceLrExtraStep)),
            LrName.TenHalf => FinSucc<LrSchedule>(new Halving(c.LearningRate, c.LrStepEpochs / 2, rampEnd, c.ReferenceLrExtraStep)),
            _ => FinFail<LrSchedule>(Error.New(ErrorCodes.InvalidConfig,
                $"Unknown learning-rate schedule '{c.LrSchedule}'. Known: {string.Join(", ", Names)}.")),
        };
    }
}
