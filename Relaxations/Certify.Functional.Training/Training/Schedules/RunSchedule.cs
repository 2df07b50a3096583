namespace Certify.Functional.Training.Schedules;

/// <summary>κ of certified training: 1 during warm-up (natural training), then <paramref name="Ramp"/> (κ₁ → κ₂ over the
/// mix phase). <see cref="One"/> is κ = 1 throughout (natural and PGD training).</summary>
/// <param name="Ramp">κ₁ → κ₂ with the run's warm-up and mix lengths.</param>
public sealed record KappaSchedule(PhaseSchedule Ramp)
{
    /// <summary>κ = 1 at every step.</summary>
    public static KappaSchedule One { get; } = new(PhaseSchedule.Constant(1));

    /// <summary>κ after <paramref name="completedSteps"/> optimizer steps.</summary>
    public double At(long completedSteps) => completedSteps < Ramp.WarmupSteps ? 1 : Ramp.At(completedSteps);
}

/// <summary>The learning rate of every position of one run, bound to its batch count once (<see cref="LrSchedule.ForRun"/>).</summary>
public abstract record LearningRates
{
    /// <summary>The learning rate of batch <paramref name="batch"/> (0-based) of epoch <paramref name="epoch"/> (0-based).</summary>
    public abstract double At(int epoch, long batch);
}

/// <summary>One rate throughout.</summary>
/// <param name="Rate">The rate.</param>
public sealed record ConstantRates(double Rate) : LearningRates
{
    /// <inheritdoc/>
    public override double At(int epoch, long batch) => Rate;
}

/// <summary>½(1 + cos(π·step/total))·<paramref name="BaseRate"/>, step = completed optimizer steps.</summary>
/// <param name="BaseRate">The peak rate.</param>
/// <param name="TotalSteps">Optimizer steps of the run.</param>
/// <param name="BatchesPerEpoch">Batches per epoch.</param>
public sealed record CosineRates(double BaseRate, long TotalSteps, long BatchesPerEpoch) : LearningRates
{
    /// <inheritdoc/>
    public override double At(int epoch, long batch)
    {
        long completed = epoch * BatchesPerEpoch + batch;
        return BaseRate * (0.5 * (1 + Math.Cos(Math.PI * Math.Clamp((double)completed / Math.Max(TotalSteps, 1), 0, 1))));
    }
}

/// <summary>A PyTorch scheduler's rate after the scheduler steps the reference takes before a position (training.md §4.3).</summary>
/// <param name="Schedule">The rate after n scheduler steps.</param>
/// <param name="Steps">Which optimizer steps also step the scheduler.</param>
/// <param name="BatchesPerEpoch">Batches per epoch.</param>
public sealed record ScheduledRates(LearningRateSchedule Schedule, SchedulerSteps Steps, long BatchesPerEpoch) : LearningRates
{
    /// <inheritdoc/>
    public override double At(int epoch, long batch) => Schedule.At(Steps.Before(epoch, batch, BatchesPerEpoch));
}

/// <summary>Everything that varies over a run, bound once to its batch count (<see cref="TrainPlan.Schedule"/>); each a pure
/// function of the position, so a resumed run needs nothing but the position.</summary>
/// <param name="Eps">ε of the abstract loss (or of PGD training).</param>
/// <param name="Kappa">Weight of the clean cross-entropy.</param>
/// <param name="Beta">CROWN-IBP mixing weight.</param>
/// <param name="LearningRate">The learning rate per (epoch, batch).</param>
/// <param name="Sigma">σ of the loss smoothing, decaying linearly over the run; null when the run does not smooth.</param>
public sealed record RunSchedule(PhaseSchedule Eps, KappaSchedule Kappa, PhaseSchedule Beta, LearningRates LearningRate, PhaseSchedule? Sigma)
{
    /// <summary>The values of the step after <paramref name="step"/> completed steps, at batch <paramref name="batch"/> of
    /// epoch <paramref name="epoch"/> (both 0-based).</summary>
    public StepValues At(long step, int epoch, long batch) =>
        new(Eps.At(step), Kappa.At(step), Beta.At(step), LearningRate.At(epoch, batch), Sigma?.At(step));
}
