namespace Certify.Functional.Training.Schedules;

/// <summary>
/// The reference's learning-rate schedules (training.md §4.3) as pure functions of the number of scheduler steps taken.
/// PyTorch semantics: MultiStepLR after t steps gives lr₀·γ^(number of milestones ≤ t); StepLR gives lr₀·γ^⌊t/size⌋.
/// Which optimizer steps also step the scheduler (and the reference's extra step per epoch) is decided by
/// <see cref="SchedulerSteps"/>.
/// </summary>
public abstract record LearningRateSchedule(double BaseRate)
{
    /// <summary>The learning rate after <paramref name="schedulerSteps"/> scheduler steps.</summary>
    public abstract double At(long schedulerSteps);
}

/// <summary>MultiStepLR: ×<paramref name="Gamma"/> at every milestone (in scheduler steps).</summary>
public sealed record MilestoneSchedule(double BaseRate, IReadOnlyList<long> Milestones, double Gamma = 0.1) : LearningRateSchedule(BaseRate)
{
    /// <inheritdoc/>
    public override double At(long schedulerSteps) => BaseRate * Math.Pow(Gamma, Milestones.Count(m => m <= schedulerSteps));

    /// <summary>Milestones from the reference's <c>--lr_milestones</c>: m·nb_batches for m ≥ 1, else ⌊m·epochs⌋·nb_batches.</summary>
    public static MilestoneSchedule FromFlags(double baseRate, IEnumerable<double> milestones, int epochs, long batchesPerEpoch) =>
        new(baseRate, milestones.Select(m => (m >= 1 ? (long)m : (long)Math.Floor(m * epochs)) * batchesPerEpoch).ToList());
}

/// <summary>StepLR: ×<paramref name="Gamma"/> every <paramref name="StepSize"/> scheduler steps (default 20 epochs, ×0.5;
/// "tenhalf": 10 epochs).</summary>
public sealed record StepSchedule(double BaseRate, long StepSize, double Gamma = 0.5) : LearningRateSchedule(BaseRate)
{
    /// <inheritdoc/>
    public override double At(long schedulerSteps) => BaseRate * Math.Pow(Gamma, schedulerSteps / StepSize);
}

/// <summary>A constant learning rate.</summary>
public sealed record ConstantSchedule(double BaseRate) : LearningRateSchedule(BaseRate)
{
    /// <inheritdoc/>
    public override double At(long schedulerSteps) => BaseRate;
}

/// <summary>When the reference steps its LR scheduler (training.md §4.1/§4.3): after every batch when milestones are used,
/// otherwise only once epoch ≥ warmup + mix; plus, under <paramref name="ExtraEpochStep"/> (the reference's behaviour for
/// labels without "tweak"), one extra step at the end of every such epoch.</summary>
/// <param name="Milestones">True when the schedule is milestone-based (stepped from the start).</param>
/// <param name="RampEndEpoch">warmup + mix epochs: the first epoch a StepLR is stepped in.</param>
/// <param name="ExtraEpochStep">The reference's extra per-epoch step (compatibility flag).</param>
public sealed record SchedulerSteps(bool Milestones, int RampEndEpoch, bool ExtraEpochStep)
{
    /// <summary>Scheduler steps taken before batch <paramref name="batch"/> (0-based) of epoch <paramref name="epoch"/>
    /// (0-based), with <paramref name="batchesPerEpoch"/> batches per epoch.</summary>
    public long Before(int epoch, long batch, long batchesPerEpoch)
    {
        long steps = 0;
        for (int e = 0; e < epoch; e++) steps += InEpoch(e, batchesPerEpoch, batchesPerEpoch) + (Stepped(e) && ExtraEpochStep ? 1 : 0);
        return steps + InEpoch(epoch, batch, batchesPerEpoch);
    }

    bool Stepped(int epoch) => Milestones || epoch >= RampEndEpoch;

    long InEpoch(int epoch, long batches, long batchesPerEpoch) => Stepped(epoch) ? Math.Min(batches, batchesPerEpoch) : 0;
}
