using System.Globalization;
using Certify.Functional.Errors;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Functional.Training;

/// <summary>A named training configuration: one row of the paper's Table 2 (training.md §4.5) or an FC-SMALL version of an
/// MNIST row.</summary>
/// <param name="Name">e.g. "mnist-fc-box".</param>
/// <param name="Row">Which row it reproduces, for people.</param>
/// <param name="Config">The configuration at the paper's budget.</param>
public sealed record Preset(string Name, string Row, TrainConfig Config);

/// <summary>
/// Presets by name and the budgets that scale them. Table 2 rows are reproduced exactly: Adam, PyTorch default
/// initialization, ε_train = ε_test = 0.3, batch size, λ (L1), specification, warm-up/mix/epochs, learning rate and its
/// schedule, κ and β ramps, seed and verify domain. The reference's extra LR step per epoch (training.md §4.3, quirk 5) is a
/// defect and off; <c>--reference-lr-extra-step</c> turns it on. FC-SMALL presets take the FC rows' settings.
/// Budgets: <c>paper</c> = as published; <c>quick</c> = a tenth of the epochs with the same phase proportions (warm-up,
/// mix, LR milestones and StepLR periods scale with the run), for a 2-core CPU. Any flag given explicitly overrides a preset value.
/// </summary>
public static class Presets
{
    /// <summary>Budget names.</summary>
    public static IReadOnlyList<string> Budgets { get; } = ["paper", "quick"];

    // (suffix, row, domain, batch, λ L1, spec, warm, mix, lr, schedule, κ2, β1→β2, seed, verify) of training.md §4.5, FC then CONV.
    static readonly (string Suffix, string Row, string Domain, int Batch, double L1, string Spec, int Warm, int Mix, double Lr, string Schedule, double Kappa2, double Beta2, long Seed, string Verify)[] Fc =
    [
        ("box", "Box", "box", 100, 5e-6, "diffs", 10, 100, 5e-4, "milestones", 0, 1, 10, "box"),
        ("hbox", "hBox", "hbox", 100, 5e-5, "diffs", 0, 50, 5e-4, "milestones", 0.5, 1, 10, "hbox"),
        ("crown-ibp-r", "CROWN-IBP (R)", "crown-ibp", 100, 5e-6, "diffs", 0, 50, 5e-4, "milestones", 0.5, 1, 12, "crown-ibp"),
        ("zono", "DeepZ", "zono", 100, 5e-6, "eye", 0, 50, 1e-3, "step", 0, 1, 10, "zono"),
        ("deeppoly", "CROWN", "deeppoly", 100, 0, "diffs", 10, 100, 5e-4, "milestones", 0, 1, 10, "deeppoly"),
        ("crown-ibp", "CROWN-IBP", "crown-ibp", 100, 0, "diffs", 10, 100, 5e-4, "milestones", 0, 0, 12, "box"),
    ];

    static readonly (string Suffix, string Row, string Domain, int Batch, double L1, string Spec, int Warm, int Mix, double Lr, string Schedule, double Kappa2, double Beta2, long Seed, string Verify)[] Conv =
    [
        ("box", "Box", "box", 100, 5e-6, "diffs", 0, 50, 5e-4, "milestones", 0.5, 1, 10, "box"),
        ("hbox", "hBox", "hbox", 100, 5e-5, "diffs", 0, 50, 5e-4, "milestones", 0.5, 1, 10, "hbox"),
        ("crown-ibp-r", "CROWN-IBP (R)", "crown-ibp", 100, 5e-6, "diffs", 10, 50, 5e-4, "milestones", 0.5, 1, 10, "crown-ibp"),
        ("zono", "DeepZ", "zono", 50, 5e-5, "diffs", 0, 50, 5e-4, "milestones", 0, 1, 10, "zono"),
        ("deeppoly", "CROWN", "deeppoly", 50, 0, "diffs", 10, 100, 5e-4, "milestones", 0, 1, 12, "deeppoly"),
        ("crown-ibp", "CROWN-IBP", "crown-ibp", 100, 5e-6, "diffs", 10, 50, 5e-4, "milestones", 0, 0, 12, "box"),
    ];

    /// <summary>Every preset.</summary>
    public static IReadOnlyList<Preset> All { get; } = Build();

    static List<Preset> Build()
    {
        var all = new List<Preset>();
        foreach (var (prefix, dataset, label) in new[] { ("mnist", "mnist", "MNIST"), ("fmnist", "fashion-mnist", "Fashion-MNIST") })
        {
            foreach (var r in Fc) all.Add(Row($"{prefix}-fc-{r.Suffix}", $"Table 2, {label}, FC, {r.Row}", "FC", dataset, r));
            foreach (var r in Conv) all.Add(Row($"{prefix}-conv-{r.Suffix}", $"Table 2, {label}, CONV, {r.Row}", "CONV", dataset, r));
        }
        foreach (var r in Fc) all.Add(Row($"mnist-fcsmall-{r.Suffix}", $"FC-SMALL with the settings of Table 2, MNIST, FC, {r.Row}", "FC-SMALL", "mnist", r));
        return all;
    }

    static Preset Row(string name, string row, string net, string dataset,
        (string Suffix, string Row, string Domain, int Batch, double L1, string Spec, int Warm, int Mix, double Lr, string Schedule, double Kappa2, double Beta2, long Seed, string Verify) r) =>
        new(name, row, TrainConfig.Default with
        {
            Net = net, Dataset = dataset, Mode = "certified", Domain = r.Domain, VerifyDomains = [r.Verify], Spec = r.Spec,
            Eps = 0.3, EpsStart = 0, Epochs = 200, WarmupEpochs = r.Warm, MixEpochs = r.Mix, BatchSize = r.Batch,
            LearningRate = r.Lr, LrSchedule = r.Schedule, LrMilestones = ConfigNames.LearningRate(r.Schedule) is LrName.Milestones ? [130, 190] : [],
            Kappa1 = 1, Kappa2 = r.Kappa2, Beta1 = 1, Beta2 = r.Beta2, Regularization = r.L1, RegularizationKind = "l1",
            Optimizer = "adam", Seed = r.Seed, Preset = name, Budget = "paper",
        });

    /// <summary>The preset called <paramref name="name"/> (case-insensitive), or an error listing the valid names.</summary>
    public static Fin<Preset> Find(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) is { } preset
            ? FinSucc(preset)
            : FinFail<Preset>(Error.New(ErrorCodes.InvalidConfig, $"Unknown preset '{name}'. Known: {string.Join(", ", All.Select(p => p.Name))} (see `certify presets`)."));

    /// <summary><paramref name="config"/> scaled to <paramref name="budget"/>: "paper" keeps it; "quick" keeps a tenth of
    /// the epochs (at least 1) and the same fractions for warm-up, mix and LR milestones.</summary>
    public static Fin<TrainConfig> Scale(TrainConfig config, string budget) => Budget(budget) switch
    {
        PresetBudget.Paper => FinSucc(config with { Budget = "paper" }),
        PresetBudget.Quick => FinSucc(Quick(config)),
        _ => FinFail<TrainConfig>(Error.New(ErrorCodes.InvalidConfig, $"Unknown budget '{budget}'. Known: {string.Join(", ", Budgets)}.")),
    };

    /// <summary>The budget called <paramref name="name"/> (case-insensitive; <see cref="TrainConfig.Budget"/> of a scaled
    /// preset), or null.</summary>
    public static PresetBudget? Budget(string? name) => name?.ToLowerInvariant() switch
    {
        "paper" => PresetBudget.Paper,
        "quick" => PresetBudget.Quick,
        _ => null,
    };

    static TrainConfig Quick(TrainConfig config)
    {
        int epochs = Math.Max(1, (int)Math.Round(config.Epochs / 10.0));
        double f = (double)epochs / config.Epochs;
        return config with
        {
            Epochs = epochs, WarmupEpochs = config.WarmupEpochs * f, MixEpochs = config.MixEpochs * f,
            LrMilestones = config.LrMilestones.Select(m => m >= 1 ? m / config.Epochs : m).ToList(),
            LrStepEpochs = config.LrStepEpochs * f, Budget = "quick",
        };
    }

    /// <summary>One line per setting of a preset, for <c>certify presets</c>.</summary>
    public static string Describe(TrainConfig c) => string.Create(CultureInfo.InvariantCulture,
        $"{c.Net} on {c.Dataset}, {c.Domain} ({c.Spec}), ε {c.EpsStart:G4}→{c.Eps:G4}, batch {c.BatchSize}, epochs {c.Epochs:G4} (warm-up {c.WarmupEpochs:G4}, mix {c.MixEpochs:G4}), " +
        $"{c.Optimizer} lr {c.LearningRate:G4} {c.LrSchedule}{(c.LrMilestones.Count > 0 ? " " + string.Join(",", c.LrMilestones.Select(m => m.ToString("G4", CultureInfo.InvariantCulture))) : "")}, " +
        $"κ {c.Kappa1:G4}→{c.Kappa2:G4}, β {c.Beta1:G4}→{c.Beta2:G4}, λ {c.Regularization:G4}, seed {c.Seed}, verify {string.Join(",", c.VerifyDomains)}");
}

/// <summary>The budgets a preset is scaled with (<see cref="Presets.Scale"/>).</summary>
public enum PresetBudget
{
    /// <summary>As published.</summary>
    Paper,
    /// <summary>A tenth of the epochs, same phase proportions.</summary>
    Quick,
}
