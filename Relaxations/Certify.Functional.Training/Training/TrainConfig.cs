using Certify.Functional.Data;
using Certify.Functional.Errors;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Functional.Training;

/// <summary>
/// Everything a training run depends on, immutable: the serialised form. Build it with <c>with</c> from <see cref="Default"/>,
/// then <see cref="Plan"/> it: <see cref="Validate"/> checks it as a whole (every problem is reported at once) and
/// <see cref="TrainPlan.From"/> parses its names (mode, domains, spec, optimizer, schedules, smoothing, device …) into the typed
/// <see cref="TrainPlan"/> the trainer runs. The configuration is stored in every checkpoint and in results.json, so a run can be
/// reproduced from its output folder.
/// </summary>
public sealed record TrainConfig
{
    /// <summary>Network name from the catalog (e.g. "FC-SMALL"), or the name in a JSON description.</summary>
    public string Net { get; init; } = "FC-SMALL";
    /// <summary>Optional JSON layer description for networks not declared at compile time.</summary>
    public string? ArchitectureFile { get; init; }
    /// <summary>Dataset name ("mnist" = the embedded subset by default).</summary>
    public string Dataset { get; init; } = "mnist";
    /// <summary>Folder with the dataset's files (null = the dataset's default).</summary>
    public string? DataDir { get; init; }
    /// <summary>Training mode: "natural" (cross-entropy on clean inputs), "pgd" (cross-entropy on PGD examples at the
    /// scheduled ε) or "certified" (κ·CE + (1 − κ)·L_abs in <see cref="Domain"/>, relaxations.md §2, training.md §4.1).</summary>
    public string Mode { get; init; } = "natural";
    /// <summary>Train domain of the certified mode (any name <c>Domain.Parse</c> accepts, e.g. "box", "deeppoly:0-c").</summary>
    public string Domain { get; init; } = "box";
    /// <summary>Domains the final evaluation certifies with (empty = the train domain; "box" for natural/PGD runs).</summary>
    public IReadOnlyList<string> VerifyDomains { get; init; } = [];
    /// <summary>Specification of the abstract loss: "diffs" (logit differences merged into the last layer) or "eye".</summary>
    public string Spec { get; init; } = "diffs";
    /// <summary>ε at the start (eps1); ramps linearly to <see cref="Eps"/> over the mix phase.</summary>
    public double EpsStart { get; init; }
    /// <summary>ε of the final evaluation (null = <see cref="Eps"/>).</summary>
    public double? EpsTest { get; init; }
    /// <summary>κ during warm-up (kappa1) and after mixing (kappa2); κ is forced to 1 during warm-up.</summary>
    public double Kappa1 { get; init; } = 1;
    /// <summary>κ after mixing.</summary>
    public double Kappa2 { get; init; }
    /// <summary>β (CROWN-IBP mixing) at the start and after mixing.</summary>
    public double Beta1 { get; init; } = 1;
    /// <summary>β after mixing.</summary>
    public double Beta2 { get; init; } = 1;
    /// <summary>Warm-up length in epochs (may be fractional: counted in optimizer steps, rounded).</summary>
    public double WarmupEpochs { get; init; }
    /// <summary>Mix (ramp) length in epochs (may be fractional).</summary>
    public double MixEpochs { get; init; }
    /// <summary>Weight regularization factor λ (0 = none).</summary>
    public double Regularization { get; init; }
    /// <summary>"l1" (Σ|W|, the reference's) or "l2" (Σ W²), over Dense and Conv weights, biases excluded.</summary>
    public string RegularizationKind { get; init; } = "l1";
    /// <summary>"adam" (weight decay 0) or "sgd" (momentum 0.9, weight decay 5e-4), training.md §4.1.</summary>
    public string Optimizer { get; init; } = "adam";
    /// <summary>Learning-rate milestones for the "milestones" schedule: m ≥ 1 are epochs, m &lt; 1 fractions of the run.</summary>
    public IReadOnlyList<double> LrMilestones { get; init; } = [];
    /// <summary>Epochs between halvings of the "step" schedule (StepLR ×0.5; the reference's default 20, "tenhalf" 10).</summary>
    public double LrStepEpochs { get; init; } = 20;
    /// <summary>Reproduce the reference's extra LR-scheduler step at the end of every stepped epoch (training.md §4.3, quirk 5).</summary>
    public bool ReferenceLrExtraStep { get; init; }
    /// <summary>Split every batch into this many pieces and accumulate gradients (same step, less memory).</summary>
    public int BatchPieces { get; init; } = 1;
    /// <summary>Also write a checkpoint every N optimizer steps (0 = only at the end of every epoch).</summary>
    public int CheckpointEvery { get; init; }
    /// <summary>PGD iterations (evaluation and PGD training).</summary>
    public int PgdSteps { get; init; } = 100;
    /// <summary>PGD step size in pixel units.</summary>
    public double PgdStepSize { get; init; } = 0.01;
    /// <summary>PGD random restarts of the final evaluation.</summary>
    public int PgdRestarts { get; init; } = 1;
    /// <summary>The preset this configuration started from (informational).</summary>
    public string? Preset { get; init; }
    /// <summary>The budget the preset was scaled with ("paper", "quick"; informational).</summary>
    public string? Budget { get; init; }
    /// <summary>Number of epochs.</summary>
    public int Epochs { get; init; } = 5;
    // Natural-training defaults, tuned on the embedded MNIST subset: FC-SMALL, 5 epochs, seeds 0–4 reach
    // 95.5–95.95 % clean test accuracy (batch 100 / lr 1e-3 / constant: 92.5–93.1 %).
    /// <summary>Examples per optimizer step.</summary>
    public int BatchSize { get; init; } = 25;
    /// <summary>Adam learning rate (the peak of the schedule).</summary>
    public double LearningRate { get; init; } = 3e-3;
    /// <summary>Learning-rate schedule over the whole run (see <see cref="LrSchedule"/>).</summary>
    public string LrSchedule { get; init; } = "cosine";
    /// <summary>Perturbation radius in pixel units (used by certified modes; must be ≥ 0).</summary>
    public double Eps { get; init; }
    /// <summary>Seed of torch (initialization) and of the data order.</summary>
    public long Seed { get; init; }
    /// <summary>Intra-op threads of torch.</summary>
    public int Threads { get; init; } = 1;
    /// <summary>"cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Use only the first N training examples (null = all).</summary>
    public int? TrainLimit { get; init; }
    /// <summary>Evaluate on the first N test examples (null = all).</summary>
    public int? TestLimit { get; init; }
    /// <summary>Output folder for checkpoints and results.</summary>
    public string OutDir { get; init; } = "runs/train";
    /// <summary>Gaussian loss smoothing of the training loss, L_σ(θ) = E_{ε~N(0,σ²I)} L(θ + ε) (Balauca et al. 2024,
    /// arXiv 2403.07095): "none", "pgpe" (zeroth-order antithetic estimate, works with non-differentiable losses) or "rgs"
    /// (average of gradients at perturbed weights). The final certification never sees it.</summary>
    public string Smoothing { get; init; } = "none";
    /// <summary>σ of the weight noise (per parameter element) at the start of the run.</summary>
    public double SmoothingSigma { get; init; } = 0.01;
    /// <summary>Population size: antithetic pairs (pgpe) or perturbed gradients (rgs) per optimizer step.</summary>
    public int SmoothingSamples { get; init; } = 4;
    /// <summary>σ after the last step: σ decays linearly over the run's optimizer steps (null = constant σ).</summary>
    public double? SmoothingSigmaEnd { get; init; }

    /// <summary>Weight initialization: "default" (PyTorch's: kaiming-uniform weights, U(±1/√fan_in) biases) or "ibp"
    /// (Shi et al. 2021, training.md §4.6: every weight tensor but the last drawn from N(0, σ²), σ = √(2π)/fan_in, so that the
    /// interval width neither grows nor shrinks through a layer at initialization; biases keep the default).</summary>
    public string Init { get; init; } = "default";

    /// <summary>Start from these weights (a PyTorch state_dict of the same network, e.g. another run's model.pt) instead of
    /// <see cref="Init"/>: fine-tuning. The optimizer, schedule and data order start fresh; null = train from scratch.</summary>
    public string? InitFrom { get; init; }

    /// <summary>Initialization names (see <see cref="Init"/>).</summary>
    public static IReadOnlyList<string> Inits { get; } = ["default", "ibp"];

    /// <summary>The defaults.</summary>
    public static TrainConfig Default { get; } = new();

    /// <summary>The modes this version can train.</summary>
    public static IReadOnlyList<string> Modes { get; } = ["natural", "pgd", "certified"];

    /// <summary>Optimizer names.</summary>
    public static IReadOnlyList<string> Optimizers { get; } = ["adam", "sgd"];

    /// <summary>Loss-smoothing methods (see <see cref="Smoothing"/>).</summary>
    public static IReadOnlyList<string> Smoothings { get; } = ["none", "pgpe", "rgs"];

    /// <summary>ε of the final evaluation.</summary>
    public double TestEps => EpsTest ?? Eps;

    /// <summary>Validates this configuration as a whole (<see cref="Validate"/>: every problem at once), then parses it into its
    /// typed plan (<see cref="TrainPlan.From"/>: the train and verify domains may still fail).</summary>
    public Fin<TrainPlan> Plan(IEnumerable<string> knownNets, IEnumerable<string> knownDatasets) =>
        Validate(this, knownNets, knownDatasets).Match(
            Succ: TrainPlan.From,
            Fail: errors => FinFail<TrainPlan>(errors.Count == 1 ? errors.Head : Error.Many(errors)));

    /// <summary>Checks every field; returns the config or all problems found.</summary>
    public static Validation<Error, TrainConfig> Validate(TrainConfig c, IEnumerable<string> knownNets, IEnumerable<string> knownDatasets)
    {
        var errors = new List<Error>();
        void Check(bool ok, string message) { if (!ok) errors.Add(Error.New(ErrorCodes.InvalidConfig, message)); }
        void Problem(string? message) { if (message is not null) errors.Add(Error.New(ErrorCodes.InvalidConfig, message)); }

        var nets = knownNets.ToList();
        var datasets = knownDatasets.ToList();
        Check(c.ArchitectureFile is not null || nets.Contains(c.Net, StringComparer.OrdinalIgnoreCase),
            $"Unknown network '{c.Net}'. Known: {string.Join(", ", nets)} (or pass --arch FILE.json).");
        Check(datasets.Contains(c.Dataset, StringComparer.OrdinalIgnoreCase),
            $"Unknown dataset '{c.Dataset}'. Known: {string.Join(", ", datasets)}.");
        Check(Modes.Contains(c.Mode), $"Unknown training mode '{c.Mode}'. Known: {string.Join(", ", Modes)}.");
        Check(c.Epochs > 0, $"Epochs (--epochs) must be > 0, got {c.Epochs}.");
        Check(c.BatchSize > 0, $"Batch size (--batch-size) must be > 0, got {c.BatchSize}.");
        Check(c.LearningRate > 0 && double.IsFinite(c.LearningRate), $"Learning rate (--lr) must be a finite number > 0, got {c.LearningRate}.");
        Check(Training.LrSchedule.Names.Contains(c.LrSchedule),
            $"Unknown learning-rate schedule '{c.LrSchedule}'. Known: {string.Join(", ", Training.LrSchedule.Names)}.");
        Problem(PixelEpsilon.Problem(c.Eps, "--eps"));
        Problem(PixelEpsilon.Problem(c.EpsStart, "--eps-start"));
        Problem(c.EpsTest is { } epsTest ? PixelEpsilon.Problem(epsTest, "--eps-test") : null);
        foreach (var (name, v) in new[] { ("--kappa-start", c.Kappa1), ("--kappa-end", c.Kappa2), ("--beta-start", c.Beta1), ("--beta-end", c.Beta2) })
            Check(v is >= 0 and <= 1, $"{name} must be in [0, 1], got {v}.");
        Check(c.WarmupEpochs >= 0 && double.IsFinite(c.WarmupEpochs), $"--warmup must be ≥ 0 epochs, got {c.WarmupEpochs}.");
        Check(c.MixEpochs >= 0 && double.IsFinite(c.MixEpochs), $"--mix must be ≥ 0 epochs, got {c.MixEpochs}.");
        Check(c.Epochs <= 0 || c.WarmupEpochs + c.MixEpochs <= c.Epochs, $"--warmup + --mix ({c.WarmupEpochs} + {c.MixEpochs}) must not exceed --epochs ({c.Epochs}).");
        Check(c.Regularization >= 0 && double.IsFinite(c.Regularization), $"--reg must be ≥ 0, got {c.Regularization}.");
        Check(ConfigNames.Norm(c.RegularizationKind) is not null, $"--reg-kind must be l1 or l2, got '{c.RegularizationKind}'.");
        Check(ConfigNames.Spec(c.Spec) is not null, $"--spec must be diffs or eye, got '{c.Spec}'.");
        Check(Optimizers.Contains(c.Optimizer), $"Unknown optimizer '{c.Optimizer}'. Known: {string.Join(", ", Optimizers)}.");
        Check(ConfigNames.LearningRate(c.LrSchedule) is not LrName.Milestones || c.LrMilestones.Count > 0, "The milestones schedule needs --lr-milestones (e.g. 130,190 or 0.6,0.9).");
        Check(c.LrMilestones.All(m => m > 0 && double.IsFinite(m)), $"--lr-milestones must be > 0, got {string.Join(",", c.LrMilestones)}.");
        Check(c.LrStepEpochs > 0 && double.IsFinite(c.LrStepEpochs), $"--lr-step-epochs must be > 0, got {c.LrStepEpochs}.");
        Check(c.BatchPieces > 0 && (c.BatchSize <= 0 || c.BatchPieces <= c.BatchSize), $"--batch-pieces must be in [1, batch size], got {c.BatchPieces}.");
        Check(c.CheckpointEvery >= 0, $"--checkpoint-every must be ≥ 0 steps, got {c.CheckpointEvery}.");
        Check(c.PgdSteps >= 0, $"--pgd-steps must be ≥ 0, got {c.PgdSteps}.");
        Check(c.PgdStepSize > 0 && double.IsFinite(c.PgdStepSize), $"--pgd-step-size must be > 0, got {c.PgdStepSize}.");
        Check(c.PgdRestarts > 0, $"--pgd-restarts must be > 0, got {c.PgdRestarts}.");
        Check(c.Threads > 0, $"Threads (--threads) must be > 0, got {c.Threads}.");
        Check(TrainDevice.Parse(c.Device) is not null,
            $"Device (--device) must be cpu, cuda or cuda:N, got '{c.Device}'.");
        Check(c.TrainLimit is null or > 0, $"Train limit (--train-limit) must be > 0, got {c.TrainLimit}.");
        Check(c.TestLimit is null or > 0, $"Test limit (--test-limit) must be > 0, got {c.TestLimit}.");
        Check(!string.IsNullOrWhiteSpace(c.OutDir), "Output folder (--out) must not be empty.");
        Check(Inits.Contains(c.Init), $"Unknown initialization (--init) '{c.Init}'. Known: {string.Join(", ", Inits)}.");
        Check(c.InitFrom is null || c.InitFrom.Trim().Length > 0, "Starting weights (--init-from) must name a file.");
        Check(Smoothings.Contains(c.Smoothing), $"Unknown loss smoothing (--smoothing) '{c.Smoothing}'. Known: {string.Join(", ", Smoothings)}.");
        Check(c.SmoothingSigma > 0 && double.IsFinite(c.SmoothingSigma), $"Smoothing σ (--sigma) must be a finite number > 0, got {c.SmoothingSigma}.");
        Check(c.SmoothingSamples > 0, $"Smoothing samples (--samples) must be ≥ 1, got {c.SmoothingSamples}.");
        Check(c.SmoothingSigmaEnd is null || (c.SmoothingSigmaEnd >= 0 && double.IsFinite(c.SmoothingSigmaEnd.Value)),
            $"Final smoothing σ (--sigma-end) must be ≥ 0, got {c.SmoothingSigmaEnd}.");
        Check(c.SmoothingSigmaEnd is null || ConfigNames.Smoothing(c.Smoothing) is not SmoothingMethod.None, "--sigma-end decays the smoothing σ; pass --smoothing pgpe or rgs too.");
        return errors.Count == 0 ? Success<Error, TrainConfig>(c) : Fail<Error, TrainConfig>(toSeq(errors));
    }
}
