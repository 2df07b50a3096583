using Certify.Functional.Training;
using Certify.Functional.Training.Schedules;

namespace Certify.Functional.Properties.Pipeline;

/// <summary>The schedules against training.md §4.2–4.3, including the reference's milestone arithmetic.</summary>
public class ScheduleTests
{
    [Fact]
    public void Phase_schedule_is_flat_then_linear_then_flat()
    {
        var eps = PhaseSchedule.FromEpochs(0, 0.3, warmupEpochs: 10, mixEpochs: 100, batchesPerEpoch: 600);
        Assert.Equal(0, eps.At(0));
        Assert.Equal(0, eps.At(5999));                                         // last warm-up step
        Assert.Equal(0, eps.At(6000));                                         // first mix step: start + 0
        Assert.Equal(0.15, eps.At(6000 + 30000), 12);                          // half-way
        Assert.Equal(0.3 * 59999 / 60000, eps.At(65999), 12);                  // last mix step
        Assert.Equal(0.3, eps.At(66000));
        Assert.Equal(0.3, eps.At(1_000_000));
        var kappa = new PhaseSchedule(1, 0.5, 0, 50);
        Assert.Equal(1, kappa.At(0));
        Assert.Equal(0.75, kappa.At(25), 12);
    }

    [Fact]
    public void Milestones_in_steps_follow_the_reference_flags()
    {
        var ms = MilestoneSchedule.FromFlags(5e-4, [130, 190], epochs: 200, batchesPerEpoch: 600);
        Assert.Equal([78_000L, 114_000L], ms.Milestones);
        var svhn = MilestoneSchedule.FromFlags(1e-3, [0.6, 0.9], epochs: 2200, batchesPerEpoch: 1466);
        Assert.Equal([1320L * 1466, 1980L * 1466], svhn.Milestones);
        Assert.Equal(5e-4, ms.At(77_999));
        Assert.Equal(5e-5, ms.At(78_000), 15);
        Assert.Equal(5e-6, ms.At(114_000), 15);
    }

    [Fact]
    public void Extra_epoch_step_moves_the_decay_into_epoch_129()
    {
        // MNIST, B = 100 → 600 batches; milestone 130 = 78,000 scheduler steps. With one extra step per epoch the
        // decay happens during (0-based) epoch 129, at batch 471 (129 · 601 + 471 = 78,000), not at the start of 130.
        var ms = MilestoneSchedule.FromFlags(5e-4, [130, 190], 200, 600);
        var compat = new SchedulerSteps(Milestones: true, RampEndEpoch: 110, ExtraEpochStep: true);
        Assert.Equal(77_999, compat.Before(129, 470, 600));
        Assert.Equal(5e-4, ms.At(compat.Before(129, 470, 600)));
        Assert.Equal(5e-5, ms.At(compat.Before(129, 471, 600)), 15);
        var sound = compat with { ExtraEpochStep = false };
        Assert.Equal(5e-4, ms.At(sound.Before(129, 599, 600)));
        Assert.Equal(78_000, sound.Before(130, 0, 600));
    }

    [Fact]
    public void Step_schedule_halves_every_20_epochs_after_the_ramp()
    {
        // No milestones: StepLR(20 · nb_batches, 0.5), stepped only from epoch warmup + mix on (here 50).
        var lr = new StepSchedule(1e-3, 20 * 600);
        var steps = new SchedulerSteps(Milestones: false, RampEndEpoch: 50, ExtraEpochStep: false);
        Assert.Equal(0, steps.Before(50, 0, 600));
        Assert.Equal(1e-3, lr.At(steps.Before(69, 599, 600)));
        Assert.Equal(5e-4, lr.At(steps.Before(70, 0, 600)), 15);
        var tenhalf = new StepSchedule(1e-3, 10 * 600);
        Assert.Equal(2.5e-4, tenhalf.At(steps.Before(70, 0, 600)), 15);
        var compat = steps with { ExtraEpochStep = true };
        Assert.True(compat.Before(70, 0, 600) > steps.Before(70, 0, 600));     // 20 extra steps taken by then
        Assert.Equal(20, compat.Before(70, 0, 600) - steps.Before(70, 0, 600));
    }
}

/// <summary><see cref="LrSchedule.ForRun"/>: the learning rate the trainer uses for each (epoch, batch).</summary>
public class LearningRateTests
{
    // The run's learning rates, bound once as the trainer binds them (from the plan, for a batch count).
    static LearningRates Rates(Certify.Functional.Training.TrainConfig c, long batches) =>
        TrainPlan.From(c).Match(p => p.LearningRate.ForRun(c.Epochs, batches), e => throw new Xunit.Sdk.XunitException(e.Message));

    static readonly Certify.Functional.Training.TrainConfig Table2Box = Certify.Functional.Training.Presets.Find("mnist-fc-box")
        .Match(p => p.Config, e => throw new Xunit.Sdk.XunitException(e.Message));

    [Fact]
    public void Milestones_130_190_decay_at_those_epochs_without_the_extra_step()
    {
        const long batches = 600;                                   // MNIST 60k / B 100
        Assert.Equal(5e-4, Rates(Table2Box, batches).At(129, batches - 1), 12);
        Assert.Equal(5e-5, Rates(Table2Box, batches).At(130, 0), 12);
        Assert.Equal(5e-5, Rates(Table2Box, batches).At(189, batches - 1), 12);
        Assert.Equal(5e-6, Rates(Table2Box, batches).At(190, 0), 12);
    }

    [Fact]
    public void The_reference_extra_step_moves_the_decay_into_epoch_129()
    {
        const long batches = 600;
        var reference = Table2Box with { ReferenceLrExtraStep = true };
        // After e epochs the scheduler has taken e·601 steps: 130·600 = 78,000 is reached in epoch 129 (0-based) at batch 78,000 − 129·601 = 471.
        Assert.Equal(5e-4, Rates(reference, batches).At(129, 470), 12);
        Assert.Equal(5e-5, Rates(reference, batches).At(129, 471), 12);
    }

    [Fact]
    public void Step_schedule_waits_for_the_end_of_the_ramp_then_halves_every_period()
    {
        var zono = Certify.Functional.Training.Presets.Find("mnist-fc-zono").Match(p => p.Config, e => throw new Xunit.Sdk.XunitException(e.Message));
        const long batches = 10;
        Assert.Equal(1e-3, Rates(zono, batches).At(49, 9), 12);     // mix ends after epoch 50
        Assert.Equal(1e-3, Rates(zono, batches).At(51, 9), 12);
        Assert.Equal(5e-4, Rates(zono, batches).At(70, 0), 12);     // 20 epochs of stepping: 200 scheduler steps
        Assert.Equal(2.5e-4, Rates(zono, batches).At(90, 0), 12);
    }

    [Fact]
    public void The_quick_budget_keeps_phase_and_milestone_proportions()
    {
        var quick = Certify.Functional.Training.Presets.Scale(Table2Box, "quick").Match(c => c, e => throw new Xunit.Sdk.XunitException(e.Message));
        Assert.Equal(20, quick.Epochs);
        Assert.Equal(1, quick.WarmupEpochs, 12);
        Assert.Equal(10, quick.MixEpochs, 12);
        Assert.Equal(5e-4, Rates(quick, 100).At(12, 99), 12);
        Assert.Equal(5e-5, Rates(quick, 100).At(13, 0), 12);        // 130/200 of 20 epochs
        Assert.Equal(5e-6, Rates(quick, 100).At(19, 0), 12);        // 190/200
    }
}
