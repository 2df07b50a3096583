using System.Globalization;
using Certify.Functional.Errors;
using Certify.Functional.Runtime;
using Certify.Functional.Training.Schedules;
using Certify.Functional.Verification;
using Certify.Functional.Verification.Domains;
using LanguageExt;
using LanguageExt.Common;
using TorchSharp.Modules;
using static LanguageExt.Prelude;
using static TorchSharp.torch;

namespace Certify.Functional.Training;

/// <summary>
/// A training run as typed values, built once from a <see cref="TrainConfig"/> by <see cref="From"/> (or
/// <see cref="TrainConfig.Plan"/>, which validates first). Every choice the configuration names with a string — mode and
/// train domain, verify domains, specification, regularizer, optimizer, learning-rate schedule, loss smoothing,
/// initialization, device — is parsed here and nowhere else; the trainer, the loss and the command line switch on these
/// values. Plain numbers (ε, κ, β, epochs, batch size, seed, folders …) are read from <see cref="Config"/>, which stays the
/// serialised record (checkpoints, results.json).
/// </summary>
/// <param name="Config">The configuration the plan was built from.</param>
/// <param name="Mode">Natural, adversarial (PGD) or certified training (with its parsed train domain).</param>
/// <param name="VerifyDomains">The sound domains of the final certification.</param>
/// <param name="Spec">Specification of the abstract loss.</param>
/// <param name="Penalty">Weight regularizer λ·Σ‖W‖.</param>
/// <param name="Optimizer">Adam or SGD with their settings.</param>
/// <param name="LearningRate">The learning-rate schedule (bound to a run's batch count by <see cref="Schedule"/>).</param>
/// <param name="Smoothing">Gaussian loss smoothing of the training loss, or none.</param>
/// <param name="Init">Weight initialization of a fresh network.</param>
/// <param name="Device">The torch device the run uses.</param>
public sealed record TrainPlan(TrainConfig Config, TrainMode Mode, IReadOnlyList<Domain> VerifyDomains, SpecKind Spec, WeightPenalty Penalty,
    OptimizerChoice Optimizer, LrSchedule LearningRate, LossSmoothing Smoothing, WeightInit Init, TrainDevice Device)
{
    /// <summary>Whether progress reports and epoch statistics carry the schedule (not for plain natural training).</summary>
    public bool LogsSchedule => Mode is not TrainMode.Natural || Smoothing is not NoSmoothing;

    /// <summary>The run's ε, κ, β, σ and learning-rate schedules for <paramref name="batchesPerEpoch"/> batches per epoch
    /// (training.md §4.2): built once per run, each a pure function of the position.</summary>
    public RunSchedule Schedule(long batchesPerEpoch)
    {
        var c = Config;
        long warmup = (long)Math.Round(c.WarmupEpochs * batchesPerEpoch), mix = (long)Math.Round(c.MixEpochs * batchesPerEpoch);
        PhaseSchedule Ramp(double start, double end) => new(start, end, warmup, mix);
        var (eps, kappa, beta) = Mode switch
        {
            TrainMode.Natural => (PhaseSchedule.Constant(0), KappaSchedule.One, PhaseSchedule.Constant(1)),
            TrainMode.Certified => (Ramp(c.EpsStart, c.Eps), new KappaSchedule(Ramp(c.Kappa1, c.Kappa2)), Ramp(c.Beta1, c.Beta2)),
            _ => (Ramp(c.EpsStart, c.Eps), KappaSchedule.One, Ramp(c.Beta1, c.Beta2)),
        };
        var sigma = Smoothing is GaussianSmoothing g ? new PhaseSchedule(g.Sigma, g.SigmaEnd ?? g.Sigma, 0, c.Epochs * batchesPerEpoch) : null;
        return new RunSchedule(eps, kappa, beta, LearningRate.ForRun(c.Epochs, batchesPerEpoch), sigma);
    }

    /// <summary>The loss of a step with scheduled values <paramref name="v"/>: the abstract loss in the train domain for
    /// certified training, the clean cross-entropy (κ = 1) otherwise; the plan's specification and regularizer.</summary>
    public LossSettings Loss(StepValues v) => Mode is TrainMode.Certified certified
        ? new LossSettings(certified.Domain, v.Eps, v.Kappa, v.Beta, Spec) { Penalty = Penalty }
        : LossSettings.Clean with { Penalty = Penalty };

    /// <summary>Parses every choice of <paramref name="c"/> (the first problem found fails). Numbers are not range-checked
    /// here: <see cref="TrainConfig.Validate"/> does that, and <see cref="TrainConfig.Plan"/> runs both.</summary>
    public static Fin<TrainPlan> From(TrainConfig c) =>
        from mode in KnownValue(ConfigNames.Mode(c.Mode), $"Unknown training mode '{c.Mode}'. Known: {string.Join(", ", TrainConfig.Modes)}.")
        from train in Domain.Parse(c.Domain)
        from verify in VerifyDomainsOf(c, mode)
        from typed in ModeOf(mode, train, c)
        from spec in KnownValue(ConfigNames.Spec(c.Spec), $"--spec must be diffs or eye, got '{c.Spec}'.")
        from norm in KnownValue(ConfigNames.Norm(c.RegularizationKind), $"--reg-kind must be l1 or l2, got '{c.RegularizationKind}'.")
        from optimizer in Known(OptimizerChoice.Parse(c.Optimizer, c.LearningRate), $"Unknown optimizer '{c.Optimizer}'. Known: {string.Join(", ", TrainConfig.Optimizers)}.")
        from lr in LrSchedule.From(c)
        from smoothing in Known(LossSmoothing.Parse(c), $"Unknown loss smoothing (--smoothing) '{c.Smoothing}'. Known: {string.Join(", ", TrainConfig.Smoothings)}.")
        from init in KnownValue(ConfigNames.Init(c.Init), $"Unknown initialization (--init) '{c.Init}'. Known: {string.Join(", ", TrainConfig.Inits)}.")
        from device in Known(TrainDevice.Parse(c.Device), $"Device (--device) must be cpu, cuda or cuda:N, got '{c.Device}'.")
        select new TrainPlan(c, typed, verify, spec, new WeightPenalty(c.Regularization, norm), optimizer, lr, smoothing, init, device);

    static Fin<T> KnownValue<T>(T? parsed, string message) where T : struct =>
        parsed is { } value ? FinSucc(value) : FinFail<T>(Error.New(ErrorCodes.InvalidConfig, message));

    static Fin<T> Known<T>(T? parsed, string message) where T : class =>
        parsed is { } value ? FinSucc(value) : FinFail<T>(Error.New(ErrorCodes.InvalidConfig, message));

    // The final certification's domains: the given ones, else the train domain (certified runs) or Box; each must be sound.
    static Fin<IReadOnlyList<Domain>> VerifyDomainsOf(TrainConfig c, ModeName mode)
    {
        IReadOnlyList<string> names = c.VerifyDomains.Count > 0 ? c.VerifyDomains : [mode is ModeName.Certified ? c.Domain : Domain.Box.Name];
        return names.Aggregate(FinSucc<IReadOnlyList<Domain>>([]), (parsed, name) => parsed.Bind(list => Sound(name).Map(domain => (IReadOnlyList<Domain>)[.. list, domain])));
    }

    static Fin<Domain> Sound(string name) => Domain.Parse(name).Bind(domain => domain.Unsoundness is { } why
        ? FinFail<Domain>(Error.New(ErrorCodes.InvalidConfig, $"--verify-domains: {why} (It can still be trained with.)"))
        : FinSucc(domain));

    static Fin<TrainMode> ModeOf(ModeName mode, Domain train, TrainConfig c) => mode switch
    {
        ModeName.Natural => FinSucc<TrainMode>(TrainMode.Natural.Instance),
        ModeName.Pgd => FinSucc<TrainMode>(new TrainMode.Adversarial(new PgdOptions(c.PgdSteps, c.PgdStepSize))),
        _ when train is TriangleLpDomain => FinFail<TrainMode>(Error.New(ErrorCodes.InvalidConfig,
            "triangle-lp is an exact LP without gradients; train with 'alpha-crown' (the differentiable Triangle) instead.")),
        _ when train is BabDomain => FinFail<TrainMode>(Error.New(ErrorCodes.InvalidConfig,
            "bab is complete verification by branch and bound, without gradients; train with a relaxation (e.g. 'alpha-crown') and verify with bab.")),
        _ => FinSucc<TrainMode>(new TrainMode.Certified(train)),
    };
}

/// <summary>What a run trains for.</summary>
public abstract record TrainMode
{
    TrainMode() { }

    /// <summary>Cross-entropy on clean inputs.</summary>
    public sealed record Natural : TrainMode
    {
        /// <summary>The one value.</summary>
        public static Natural Instance { get; } = new();
    }

    /// <summary>Cross-entropy on PGD examples at the scheduled ε (computed once per step at the unperturbed weights).</summary>
    /// <param name="Attack">PGD steps and step size (one restart).</param>
    public sealed record Adversarial(PgdOptions Attack) : TrainMode;

    /// <summary>κ·CE + (1 − κ)·L_abs in <paramref name="Domain"/> (relaxations.md §2, training.md §4.1).</summary>
    /// <param name="Domain">The parsed train domain.</param>
    public sealed record Certified(Domain Domain) : TrainMode;
}

/// <summary>The weight regularizer λ·Σ_W ‖W‖ over Dense and Conv weights (biases excluded).</summary>
/// <param name="Factor">λ (0 = none).</param>
/// <param name="Norm">L1 (Σ|W|, the reference's) or L2 (Σ W²).</param>
public sealed record WeightPenalty(double Factor, PenaltyNorm Norm)
{
    /// <summary>No regularization.</summary>
    public static WeightPenalty None { get; } = new(0, PenaltyNorm.L1);

    /// <summary>λ·Σ|W|.</summary>
    public static WeightPenalty L1(double factor) => new(factor, PenaltyNorm.L1);

    /// <summary>λ·Σ W².</summary>
    public static WeightPenalty L2(double factor) => new(factor, PenaltyNorm.L2);
}

/// <summary>Norm of the weight regularizer.</summary>
public enum PenaltyNorm
{
    /// <summary>Σ|W|.</summary>
    L1,
    /// <summary>Σ W².</summary>
    L2,
}

/// <summary>Weight initialization of a fresh network (see <see cref="TrainConfig.Init"/>).</summary>
public enum WeightInit
{
    /// <summary>PyTorch's default.</summary>
    Default,
    /// <summary>IBP initialization (<see cref="Initialization.Ibp"/>).</summary>
    Ibp,
}

/// <summary>Loss-smoothing method names (see <see cref="TrainConfig.Smoothing"/>).</summary>
public enum SmoothingMethod
{
    /// <summary>No smoothing.</summary>
    None,
    /// <summary>PGPE, zeroth order.</summary>
    Pgpe,
    /// <summary>Randomized gradient smoothing.</summary>
    Rgs,
}

/// <summary>The optimizer of a run.</summary>
/// <param name="LearningRate">The initial learning rate (the schedule sets it per step).</param>
public abstract record OptimizerChoice(double LearningRate)
{
    /// <summary>A fresh optimizer over <paramref name="parameters"/>.</summary>
    public abstract OptimizerHelper Create(IEnumerable<Parameter> parameters);

    /// <summary>Adam, weight decay 0.</summary>
    public sealed record Adam(double LearningRate) : OptimizerChoice(LearningRate)
    {
        /// <inheritdoc/>
        public override OptimizerHelper Create(IEnumerable<Parameter> parameters) => optim.Adam(parameters, lr: LearningRate);
    }

    /// <summary>SGD with momentum and weight decay (training.md §4.1: 0.9 and 5e-4).</summary>
    public sealed record Sgd(double LearningRate, double Momentum = 0.9, double WeightDecay = 5e-4) : OptimizerChoice(LearningRate)
    {
        /// <inheritdoc/>
        public override OptimizerHelper Create(IEnumerable<Parameter> parameters) =>
            optim.SGD(parameters, LearningRate, momentum: Momentum, weight_decay: WeightDecay);
    }

    /// <summary>The optimizer called <paramref name="name"/> ("adam", "sgd"), or null.</summary>
    public static OptimizerChoice? Parse(string name, double learningRate) => name switch
    {
        "adam" => new Adam(learningRate),
        "sgd" => new Sgd(learningRate),
        _ => null,
    };
}

/// <summary>The device of a run, parsed from "cpu", "cuda" or "cuda:N".</summary>
/// <param name="Name">The name as given.</param>
public abstract record TrainDevice(string Name)
{
    /// <summary>The CPU.</summary>
    public sealed record Cpu() : TrainDevice("cpu");

    /// <summary>A CUDA device (the default one when <paramref name="Index"/> is null).</summary>
    public sealed record Cuda(string Name, int? Index) : TrainDevice(Name);

    /// <summary>The torch device (throws with a clear message when this build has no CUDA; see <see cref="Devices.Parse"/>).</summary>
    public Device Open() => Devices.Parse(Name);

    /// <summary>The device called <paramref name="name"/>, or null.</summary>
    public static TrainDevice? Parse(string name) => name switch
    {
        "cpu" => new Cpu(),
        "cuda" => new Cuda(name, null),
        _ when name.StartsWith("cuda:", StringComparison.Ordinal)
               && int.TryParse(name.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index) => new Cuda(name, index),
        _ => null,
    };
}

/// <summary>The configuration's names of its choices, each mapped to a typed value in one place (the parsers of
/// <see cref="TrainPlan.From"/> and <see cref="TrainConfig.Validate"/>). Names are case-sensitive, as listed in
/// <see cref="TrainConfig.Modes"/>, <see cref="TrainConfig.Optimizers"/>, <see cref="TrainConfig.Smoothings"/>,
/// <see cref="TrainConfig.Inits"/> and <see cref="LrSchedule.Names"/>.</summary>
public static class ConfigNames
{
    /// <summary>"diffs" or "eye".</summary>
    public static SpecKind? Spec(string name) => name switch { "diffs" => SpecKind.Diffs, "eye" => SpecKind.Eye, _ => null };

    /// <summary>"l1" or "l2".</summary>
    public static PenaltyNorm? Norm(string name) => name switch { "l1" => PenaltyNorm.L1, "l2" => PenaltyNorm.L2, _ => null };

    /// <summary>"default" or "ibp".</summary>
    public static WeightInit? Init(string name) => name switch { "default" => WeightInit.Default, "ibp" => WeightInit.Ibp, _ => null };

    /// <summary>"none", "pgpe" or "rgs".</summary>
    public static SmoothingMethod? Smoothing(string name) => name switch
    {
        "none" => SmoothingMethod.None, "pgpe" => SmoothingMethod.Pgpe, "rgs" => SmoothingMethod.Rgs, _ => null,
    };

    /// <summary>"natural", "pgd" or "certified".</summary>
    internal static ModeName? Mode(string name) => name switch
    {
        "natural" => ModeName.Natural, "pgd" => ModeName.Pgd, "certified" => ModeName.Certified, _ => null,
    };

    /// <summary>A learning-rate schedule's name (see <see cref="LrSchedule.Names"/>).</summary>
    internal static LrName? LearningRate(string name) => name switch
    {
        "constant" => LrName.Constant, "cosine" => LrName.Cosine, "milestones" => LrName.Milestones, "step" => LrName.Step,
        "tenhalf" => LrName.TenHalf, _ => null,
    };
}

/// <summary>Training-mode names.</summary>
internal enum ModeName { Natural, Pgd, Certified }

/// <summary>Learning-rate schedule names.</summary>
internal enum LrName { Constant, Cosine, Milestones, Step, TenHalf }
