using System.Globalization;
using Certify.Functional.Errors;
using Certify.Functional.Training;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Functional.Reports.Paradox;

/// <summary>One relaxation of the study: the paper's name, the train domain and the domain it is certified with.</summary>
/// <param name="Label">As in the paper's Table 1 (e.g. "CROWN-IBP (R)").</param>
/// <param name="Key">File-system name (e.g. "crown-ibp-r").</param>
/// <param name="Domain">Train domain (<c>Domain.Parse</c> name).</param>
/// <param name="Verify">Certification domain (its own relaxation).</param>
/// <param name="Beta">β over the whole run (CROWN-IBP (R): 1 → 1).</param>
/// <param name="Smoothing">Gaussian loss smoothing of the training ("none", "rgs", "pgpe"; certification is always plain).</param>
public sealed record StudiedRelaxation(string Label, string Key, string Domain, string Verify, double Beta = 1, string Smoothing = "none")
{
    /// <summary>κ after the ramp (the clean-loss weight; Table 2: 0.5 for hBox and CROWN-IBP (R), else 0).</summary>
    public double Kappa2 { get; init; }
    /// <summary>L1 factor of this relaxation's runs (null = the plan's; Table 2: 5e-5 for hBox).</summary>
    public double? Regularization { get; init; }
    /// <summary>Specification of the training loss (Table 2: "eye" for the FC DeepZ rows; default diffs).</summary>
    public string Spec { get; init; } = "diffs";
    /// <summary>Fine-tuning: the key of the run in <see cref="ParadoxPlan.StartDir"/> whose weights (same seed) this run starts
    /// from (null = train from scratch).</summary>
    public string? StartFrom { get; init; }
    /// <summary>Whether the training loss is smoothed (<see cref="Smoothing"/> names a method other than "none").</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Smoothed => ConfigNames.Smoothing(Smoothing) is not SmoothingMethod.None;
    /// <summary>What differs from the plan's common schedule, for the report ("" = nothing).</summary>
    public string Settings => string.Join(", ", new[]
    {
        Kappa2 != 0 ? string.Create(CultureInfo.InvariantCulture, $"κ → {Kappa2:G3}") : null,
        Regularization is { } l1 ? (l1 == 0 ? "no L1" : string.Create(CultureInfo.InvariantCulture, $"L1 {l1:G2}")) : null,
        ConfigNames.Spec(Spec) is not Verification.SpecKind.Diffs ? $"spec {Spec}" : null,
    }.Where(x => x is not null));
}

/// <summary>
/// What <c>certify paradox</c> runs: one identical schedule for every relaxation (training.md §4.2: warm-up with κ = 1,
/// linear ramps of ε and κ, then ε fixed), sized by a budget. Budgets: <c>quick</c> (a first look, ≤ 5 minutes on 2
/// cores), <c>default</c> (≤ 30 minutes), <c>paper</c> (the FC rows' 200-epoch schedule of Table 2 on the embedded data).
/// </summary>
/// <param name="Net">Network (FC-SMALL by default).</param>
/// <param name="Eps">ε of training (after the ramp) and of evaluation.</param>
/// <param name="Budget">quick, default or paper.</param>
/// <param name="Epochs">Epochs (warm-up and mix included).</param>
/// <param name="WarmupEpochs">Natural-training epochs.</param>
/// <param name="MixEpochs">Ramp epochs.</param>
/// <param name="TrainImages">Training images used (first N of the embedded training set).</param>
/// <param name="TestImages">Test images certified (first N).</param>
/// <param name="LpImages">Test images certified with the exact triangle LP (0 = skip).</param>
/// <param name="PropertyImages">Images of the fixed batch the three properties are measured on.</param>
/// <param name="Seed">Seed of every run.</param>
/// <param name="Threads">Torch threads.</param>
/// <param name="OutDir">Output folder.</param>
/// <param name="Relaxations">The relaxations trained.</param>
public sealed record ParadoxPlan(string Net, double Eps, string Budget, int Epochs, double WarmupEpochs, double MixEpochs, int TrainImages,
    int TestImages, int LpImages, int PropertyImages, long Seed, int Threads, string OutDir, IReadOnlyList<StudiedRelaxation> Relaxations)
{
    /// <summary>Fine-tuning plans: the finished study whose networks the runs start from (see <see cref="StudiedRelaxation.StartFrom"/>).</summary>
    public string? StartDir { get; init; }
    /// <summary>Batch size of training.</summary>
    public int BatchSize { get; init; } = 100;
    /// <summary>Seeds per relaxation: <see cref="Seed"/>, <see cref="Seed"/> + 1, …; a verdict holds only when every seed agrees.</summary>
    public int SeedCount { get; init; } = 1;
    /// <summary>Training runs at a time (one torch thread each; 2 uses both cores of the reference machine).</summary>
    public int Workers { get; init; } = 1;
    /// <summary>The seeds of the study.</summary>
    public IReadOnlyList<long> Seeds => Enumerable.Range(0, SeedCount).Select(i => Seed + i).ToList();
    /// <summary>Initialization of every run ("default" or "ibp").</summary>
    public string Init { get; init; } = "default";
    /// <summary>L1 regularization factor of every run.</summary>
    public double Regularization { get; init; }
    /// <summary>Adam learning rate (the Table-2 FC rows' 5e-4 by default).</summary>
    public double LearningRate { get; init; } = 5e-4;
    /// <summary>×0.1 milestones as fractions of the run (empty = constant).</summary>
    public IReadOnlyList<double> Milestones { get; init; } = [0.65, 0.95];
    /// <summary>Grid points of each loss slice.</summary>
    public int SlicePoints { get; init; } = 201;
    /// <summary>Random directions of the sensitivity measure.</summary>
    public int SensitivityDirections { get; init; } = 8;
    /// <summary>Images of the exact-LP width ratio per network (tightness (b)).</summary>
    public int LpWidthImages { get; init; } = 5;

    /// <summary>The paper's Table-1 relaxations.</summary>
    public static IReadOnlyList<StudiedRelaxation> Table1 { get; } =
    [
        new("Box", "box", "box", "box"),
        new("hBox", "hbox", "hbox", "hbox"),
        new("CROWN-IBP (R)", "crown-ibp-r", "crown-ibp", "crown-ibp"),
        new("DeepZ", "zono", "zono", "zono"),
        new("CROWN", "crown", "deeppoly", "deeppoly"),
    ];

    /// <summary>The per-relaxation settings of the paper's Table 2 (FC rows, training.md §4.5) that differ between relaxations:
    /// hBox κ → 0.5 and L1 5e-5, CROWN-IBP (R) κ → 0.5, DeepZ the per-logit spec (eye), CROWN no L1; the schedule's length,
    /// learning rate and batch stay the plan's (<c>certify paradox --table2-settings</c>).</summary>
    public static StudiedRelaxation WithTable2Settings(StudiedRelaxation r) => r.Key switch
    {
        "hbox" => r with { Kappa2 = 0.5, Regularization = 5e-5 },
        "crown-ibp-r" => r with { Kappa2 = 0.5 },
        "zono" => r with { Spec = "eye" },
        "crown" => r with { Regularization = 0 },
        _ => r,
    };

    /// <summary>The differentiable Triangle (α-CROWN on the final specification), added by <c>--triangle</c> (it costs
    /// about as much as hBox and DeepZ together).</summary>
    public static StudiedRelaxation Triangle { get; } = new("Triangle (α-CROWN)", "triangle", "alpha-crown:steps=5,lr=0.5,intersect=0", "alpha-crown:steps=10,lr=0.5,intersect=0");

    /// <summary>The smoothing block (issue 7, Balauca et al. 2024): DeepZ, CROWN and the differentiable Triangle trained with
    /// randomized gradient smoothing (RGS), and CROWN with the zeroth-order PGPE (the study's network is the smallest one),
    /// under the same budget; certification uses the plain relaxation.</summary>
    public static IReadOnlyList<StudiedRelaxation> SmoothingBlock { get; } =
    [
        new("DeepZ + RGS", "zono-rgs", "zono", "zono", Smoothing: "rgs"),
        new("CROWN + RGS", "crown-rgs", "deeppoly", "deeppoly", Smoothing: "rgs"),
        new("Triangle (α-CROWN) + RGS", "triangle-rgs", "alpha-crown:steps=5,lr=0.5,intersect=0", "alpha-crown:steps=10,lr=0.5,intersect=0", Smoothing: "rgs"),
        new("CROWN + PGPE", "crown-pgpe", "deeppoly", "deeppoly", Smoothing: "pgpe"),
    ];

    /// <summary>σ of the smoothing block (relative weight noise per element).</summary>
    public double SmoothingSigma { get; init; } = 0.01;
    /// <summary>Samples per step of the smoothing block.</summary>
    public int SmoothingSamples { get; init; } = 4;

    /// <summary>Budget names.</summary>
    public static IReadOnlyList<string> Budgets { get; } = ["quick", "default", "extended", "paper"];

    /// <summary>The plan of <paramref name="budget"/>.</summary>
    public static Fin<ParadoxPlan> For(string budget, string net, double eps, long seed, int threads, string outDir)
    {
        var problems = new List<string>();
        if (!(eps > 0 && eps <= 1)) problems.Add($"ε (--eps) must be in (0, 1], got {eps.ToString(CultureInfo.InvariantCulture)}.");
        if (threads <= 0) problems.Add($"Threads (--threads) must be > 0, got {threads}.");
        if (!Budgets.Contains(budget)) problems.Add($"Unknown budget '{budget}'. Known: {string.Join(", ", Budgets)}.");
        var errors = problems.Select(p => Error.New(ErrorCodes.InvalidConfig, p)).ToList();
        if (!Certify.Functional.Samples.NetworkCatalog.Names.Contains(net, StringComparer.OrdinalIgnoreCase))
            errors.Insert(0, Error.New(ErrorCodes.UnknownNetwork, $"Unknown network '{net}'. Known: {string.Join(", ", Certify.Functional.Samples.NetworkCatalog.Names)}."));
        if (errors.Count > 0) return FinFail<ParadoxPlan>(Error.Many(errors.ToArray()));
        // The protocol found by experiment (docs/results/paradox-protocol.md): IBP initialization, no natural warm-up, ε and κ
        // ramped over the first two thirds, Adam 1e-3 with ×0.1 at 80 %, batch 50, L1 5e-6 — the same for every relaxation.
        ParadoxPlan Protocol(int epochs, int seeds) => new(net, eps, budget, epochs, 0, Math.Round(epochs * 2.0 / 3), 8000, 2000, 20, 50, seed, threads, outDir, Table1)
        {
            BatchSize = 50, LearningRate = 1e-3, Milestones = [0.8], Regularization = 5e-6, Init = "ibp", SeedCount = seeds, Workers = 2,
            SlicePoints = 121, SensitivityDirections = 6, LpWidthImages = 3,
        };
        return FinSucc(budget switch
        {
            "quick" => new ParadoxPlan(net, eps, budget, 5, 0, 3, 2000, 500, 3, 20, seed, threads, outDir, Table1)
            {
                BatchSize = 50, LearningRate = 1e-3, Milestones = [], Regularization = 5e-6, Init = "ibp", Workers = 2,
                SlicePoints = 61, SensitivityDirections = 3, LpWidthImages = 1,
            },
            "default" => Protocol(DefaultEpochs, 2),
            "extended" => Protocol(ExtendedEpochs, 2),
            _ => new ParadoxPlan(net, eps, budget, 200, 10, 100, 8000, 2000, 100, 100, seed, threads, outDir, Table1) { Workers = 2 },
        });
    }

    /// <summary>Epochs of the default budget (≤ 45 minutes wall on 2 cores, both seeds, every relaxation).</summary>
    public const int DefaultEpochs = 30;
    /// <summary>Epochs of the extended budget (the committed longer run).</summary>
    public const int ExtendedEpochs = 60;

    /// <summary>The training configuration of <paramref name="r"/> with seed <paramref name="seed"/> (default: the first):
    /// identical for every relaxation except domain, β and the relaxation's own Table-2 settings (<see cref="StudiedRelaxation.Settings"/>); its folder is <c>{out}/{key}/seed{seed}</c>.</summary>
    public TrainConfig TrainConfig(StudiedRelaxation r, long? seed = null) => Training.TrainConfig.Default with
    {
        Init = Init, Seed = seed ?? Seed, OutDir = Path.Combine(OutDir, r.Key, $"seed{seed ?? Seed}"), Regularization = r.Regularization ?? Regularization,
        Net = Net, Dataset = "mnist", Mode = "certified", Domain = r.Domain, VerifyDomains = [r.Verify], Spec = r.Spec,
        InitFrom = r.StartFrom is { } from && StartDir is { } start ? Path.GetFullPath(Path.Combine(start, from, $"seed{seed ?? Seed}", "model.pt")) : null,
        Eps = Eps, EpsStart = 0, Epochs = Epochs, WarmupEpochs = WarmupEpochs, MixEpochs = MixEpochs, BatchSize = BatchSize,
        LearningRate = LearningRate, LrSchedule = Milestones.Count > 0 ? "milestones" : "constant", LrMilestones = Milestones, Kappa1 = 1, Kappa2 = r.Kappa2, Beta1 = r.Beta, Beta2 = r.Beta,
        Smoothing = r.Smoothing, SmoothingSigma = SmoothingSigma, SmoothingSamples = SmoothingSamples, Threads = Threads, TrainLimit = TrainImages, TestLimit = TestImages, PgdSteps = 100,
        Preset = $"paradox-{Budget}", Budget = Budget,
    };
}
