using Certify.Functional.Training;
using Certify.Functional.Training.Schedules;
using Certify.Functional.Verification;
using Certify.Functional.Verification.Domains;

namespace Certify.Functional.Properties.Pipeline;

/// <summary>The typed plan of a configuration: every name parsed once into a value, the schedules bound once per run, and
/// the same problems as validation for names it does not know.</summary>
public class TrainPlanTests
{
    static readonly string[] Nets = ["FC", "FC-SMALL"];
    static readonly string[] Datasets = ["mnist"];

    static TrainPlan Plan(TrainConfig c) => TrainPlan.From(c).Match(p => p, e => throw new Xunit.Sdk.XunitException(e.Message));

    static string Problem(TrainConfig c) => TrainPlan.From(c).Match(_ => throw new Xunit.Sdk.XunitException("expected failure"), e => e.Message);

    [Fact]
    public void Every_name_becomes_a_typed_value()
    {
        var plan = Plan(TrainConfig.Default with
        {
            Mode = "certified", Domain = "crown-ibp", Spec = "eye", RegularizationKind = "l2", Regularization = 1e-4, Optimizer = "sgd",
            LrSchedule = "milestones", LrMilestones = [0.5], Smoothing = "pgpe", SmoothingSamples = 3, Init = "ibp", Device = "cpu",
        });
        var certified = Assert.IsType<TrainMode.Certified>(plan.Mode);
        Assert.Equal("crown-ibp", certified.Domain.Name);
        Assert.Equal("crown-ibp", Assert.Single(plan.VerifyDomains).Name);       // the train domain certifies by default
        Assert.Equal(SpecKind.Eye, plan.Spec);
        Assert.Equal(WeightPenalty.L2(1e-4), plan.Penalty);
        Assert.Equal(new OptimizerChoice.Sgd(TrainConfig.Default.LearningRate), plan.Optimizer);
        Assert.IsType<LrSchedule.Milestones>(plan.LearningRate);
        Assert.Equal(3, Assert.IsType<PgpeSmoothing>(plan.Smoothing).Samples);
        Assert.Equal(WeightInit.Ibp, plan.Init);
        Assert.IsType<TrainDevice.Cpu>(plan.Device);

        var natural = Plan(TrainConfig.Default);
        Assert.IsType<TrainMode.Natural>(natural.Mode);
        Assert.Equal("box", Assert.Single(natural.VerifyDomains).Name);
        Assert.IsType<NoSmoothing>(natural.Smoothing);
        Assert.IsType<OptimizerChoice.Adam>(natural.Optimizer);
        Assert.IsType<LrSchedule.Cosine>(natural.LearningRate);
        Assert.False(natural.LogsSchedule);
        Assert.Equal(new PgdOptions(7, 0.02), Assert.IsType<TrainMode.Adversarial>(Plan(TrainConfig.Default with { Mode = "pgd", PgdSteps = 7, PgdStepSize = 0.02 }).Mode).Attack);
        Assert.Equal(new TrainDevice.Cuda("cuda:1", 1), TrainDevice.Parse("cuda:1"));
        Assert.Null(TrainDevice.Parse("cuda:x"));
    }

    [Fact]
    public void Unknown_names_fail_with_the_validation_messages()
    {
        foreach (var bad in new[]
        {
            TrainConfig.Default with { Mode = "adversarial" }, TrainConfig.Default with { Spec = "all" }, TrainConfig.Default with { RegularizationKind = "l3" },
            TrainConfig.Default with { Optimizer = "rmsprop" }, TrainConfig.Default with { LrSchedule = "linear" }, TrainConfig.Default with { Smoothing = "adam" },
            TrainConfig.Default with { Init = "xavier" }, TrainConfig.Default with { Device = "tpu" },
        })
        {
            var validation = TrainConfig.Validate(bad, Nets, Datasets).Match(_ => throw new Xunit.Sdk.XunitException("expected failure"), e => e.Head.Message);
            Assert.Equal(validation, Problem(bad));
        }
    }

    [Fact]
    public void Domains_are_parsed_once_with_the_trainers_rules()
    {
        Assert.Contains("Unknown domain 'nope'", Problem(TrainConfig.Default with { Domain = "nope" }));     // any mode
        Assert.Contains("--verify-domains", Problem(TrainConfig.Default with { VerifyDomains = ["zdiag-c-unsound"] }));
        Assert.Contains("alpha-crown", Problem(TrainConfig.Default with { Mode = "certified", Domain = "triangle-lp" }));
        Assert.IsType<TrainMode.Natural>(Plan(TrainConfig.Default with { Domain = "triangle-lp" }).Mode);   // only certified training needs gradients
        var plan = TrainConfig.Default with { Mode = "certified", Domain = "deeppoly", VerifyDomains = ["box", "crown-ibp"] };
        Assert.Equal(["box", "crown-ibp"], Plan(plan).VerifyDomains.Select(d => d.Name));
        var combined = (TrainConfig.Default with { Net = "RESNET", Eps = -1 }).Plan(Nets, Datasets);
        Assert.Contains("Unknown network", combined.Match(_ => "", e => e.Message));
    }

    [Fact]
    public void The_schedule_of_a_run_is_bound_once_and_forces_kappa_one_in_warm_up()
    {
        var c = TrainConfig.Default with
        {
            Mode = "certified", Domain = "box", Eps = 0.3, EpsStart = 0.1, Kappa1 = 0.8, Kappa2 = 0.2, Beta1 = 1, Beta2 = 0, Epochs = 4,
            WarmupEpochs = 1, MixEpochs = 2, LrSchedule = "constant", LearningRate = 1e-3, Smoothing = "rgs", SmoothingSigma = 0.02, SmoothingSigmaEnd = 0.01,
        };
        var schedule = Plan(c).Schedule(10);
        Assert.Equal(new StepValues(0.1, 1, 1, 1e-3, 0.02), schedule.At(0, 0, 0));              // warm-up: κ = 1, σ at its start
        Assert.Equal(0.8, schedule.At(10, 1, 0).Kappa, 12);                                    // the ramp starts at κ₁
        Assert.Equal(new StepValues(0.3, 0.2, 0, 1e-3, 0.01), schedule.At(40, 3, 10));          // after the ramp; σ at its end
        var pgd = Plan(c with { Mode = "pgd", Smoothing = "none", SmoothingSigmaEnd = null }).Schedule(10);
        Assert.Equal(new StepValues(0.2, 1, 0.5, 1e-3), pgd.At(20, 2, 0));                      // ε and β ramp, κ stays 1
        Assert.Equal(new StepValues(0, 1, 1, 1e-3), Plan(c with { Mode = "natural", Smoothing = "none", SmoothingSigmaEnd = null }).Schedule(10).At(20, 2, 0));
    }

    [Fact]
    public void The_loss_of_a_step_uses_the_train_domain_only_for_certified_training()
    {
        var values = new StepValues(0.1, 0.5, 0.25, 1e-3);
        var certified = Plan(TrainConfig.Default with { Mode = "certified", Domain = "zono", Spec = "eye", Regularization = 1e-5 }).Loss(values);
        Assert.Equal(new LossSettings(Domain.Parse("zono").Match(d => d, e => throw new Xunit.Sdk.XunitException(e.Message)), 0.1, 0.5, 0.25, SpecKind.Eye)
            { Penalty = WeightPenalty.L1(1e-5) }, certified);
        var natural = Plan(TrainConfig.Default with { Regularization = 1e-5 }).Loss(values);
        Assert.Equal(1, natural.Kappa);
        Assert.Equal(WeightPenalty.L1(1e-5), natural.Penalty);
    }
}
