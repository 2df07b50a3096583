using Certify.Functional.Runtime;
using System.CommandLine;
using Certify.Functional.Onnx;
using System.Globalization;
using Certify.Functional.Data;
using Certify.Functional.Errors;
using Certify.Functional.Layers;
using Certify.Functional.Training;
using Certify.Functional.Samples;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Interpreter;
using LanguageExt.Common;
using TorchSharp;
using static LanguageExt.Prelude;


namespace Certify.Cli.Commands;

/// <summary><c>certify train</c>: natural, PGD or certified training from flags or a preset (scaled by a budget; every
/// flag given explicitly overrides the preset), resumable with <c>--resume DIR</c>. Writes per-epoch weights, a full
/// checkpoint (<c>checkpoints/last.ckpt</c>), results.json, summary.md and per_image.csv into --out.</summary>
public static class TrainCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliOutput output)
    {
        var d = TrainConfig.Default;
        var preset = new Option<string?>("--preset") { Description = "Start from a preset (see `certify presets`), e.g. mnist-fcsmall-box" };
        var budget = new Option<string>("--budget") { Description = "Scale the preset: paper (as published) or quick (a tenth of the epochs, same phase proportions)", DefaultValueFactory = _ => "paper" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this output folder (or from this .ckpt file) with its stored configuration; outputs go to that folder (or --out)" };
        var force = new Option<bool>("--force") { Description = "Replace the run that --out holds (its checkpoints, weights and reports) instead of continuing it" };
        var net = new Option<string>("--net") { Description = $"Network: {string.Join(", ", NetworkCatalog.Names)}", DefaultValueFactory = _ => d.Net };
        var arch = new Option<string?>("--arch") { Description = "JSON layer description of a network not in the catalog" };
        var dataset = new Option<string>("--dataset") { Description = "mnist (embedded subset), fashion-mnist, cifar10", DefaultValueFactory = _ => d.Dataset };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder with the dataset's files (default: the dataset's default)" };
        var mode = new Option<string>("--mode") { Description = $"Training mode: {string.Join(", ", TrainConfig.Modes)}", DefaultValueFactory = _ => d.Mode };
        var domain = new Option<string>("--domain") { Description = "Train domain of the certified mode (box, hbox, zono, deeppoly, crown-ibp, alpha-crown, … see README)", DefaultValueFactory = _ => d.Domain };
        var verify = new Option<string?>("--verify-domains") { Description = "Comma-separated domains of the final certification (default: the train domain)" };
        var spec = new Option<string>("--spec") { Description = "Specification of the abstract loss: diffs or eye", DefaultValueFactory = _ => d.Spec };
        var epochs = new Option<int>("--epochs") { Description = "Epochs", DefaultValueFactory = _ => d.Epochs };
        var batch = new Option<int>("--batch-size") { Description = "Batch size", DefaultValueFactory = _ => d.BatchSize };
        var pieces = new Option<int>("--batch-pieces") { Description = "Accumulate gradients over this many pieces of a batch", DefaultValueFactory = _ => d.BatchPieces };
        var optimizer = new Option<string>("--optimizer") { Description = "adam or sgd (momentum 0.9, weight decay 5e-4)", DefaultValueFactory = _ => d.Optimizer };
        var lr = new Option<double>("--lr") { Description = "Learning rate", DefaultValueFactory = _ => d.LearningRate };
        var lrSchedule = new Option<string>("--lr-schedule") { Description = $"Learning-rate schedule: {string.Join(", ", LrSchedule.Names)}", DefaultValueFactory = _ => d.LrSchedule };
        var milestones = new Option<string?>("--lr-milestones") { Description = "Milestones (×0.1): epochs (≥ 1) or fractions of the run (< 1), e.g. 130,190" };
        var stepEpochs = new Option<double>("--lr-step-epochs") { Description = "Epochs between halvings of the step schedule", DefaultValueFactory = _ => d.LrStepEpochs };
        var extraStep = new Option<bool>("--reference-lr-extra-step") { Description = "Reproduce the reference's extra LR-scheduler step per epoch (training.md §4.3 quirk)" };
        var eps = new Option<double>("--eps") { Description = "ε after the ramp (pixel units)", DefaultValueFactory = _ => d.Eps };
        var epsStart = new Option<double>("--eps-start") { Description = "ε during warm-up (ramps to --eps over the mix phase)", DefaultValueFactory = _ => d.EpsStart };
        var epsTest = new Option<double?>("--eps-test") { Description = "ε of the final PGD and certification (default --eps)" };
        var kappa1 = new Option<double>("--kappa-start") { Description = "κ (clean weight) at the start of mixing", DefaultValueFactory = _ => d.Kappa1 };
        var kappa2 = new Option<double>("--kappa-end") { Description = "κ after mixing", DefaultValueFactory = _ => d.Kappa2 };
        var beta1 = new Option<double>("--beta-start") { Description = "β (CROWN-IBP mixing) at the start", DefaultValueFactory = _ => d.Beta1 };
        var beta2 = new Option<double>("--beta-end") { Description = "β after mixing", DefaultValueFactory = _ => d.Beta2 };
        var warmup = new Option<double>("--warmup") { Description = "Warm-up epochs (natural training, κ = 1)", DefaultValueFactory = _ => d.WarmupEpochs };
        var mix = new Option<double>("--mix") { Description = "Mix epochs (linear ramps of ε, κ, β)", DefaultValueFactory = _ => d.MixEpochs };
        var reg = new Option<double>("--reg") { Description = "Weight regularization λ", DefaultValueFactory = _ => d.Regularization };
        var regKind = new Option<string>("--reg-kind") { Description = "l1 or l2", DefaultValueFactory = _ => d.RegularizationKind };
        var every = new Option<int>("--checkpoint-every") { Description = "Also checkpoint every N steps (0 = end of epoch only)", DefaultValueFactory = _ => d.CheckpointEvery };
        var pgdSteps = new Option<int>("--pgd-steps") { Description = "PGD steps (final evaluation, PGD training; 0 = skip PGD)", DefaultValueFactory = _ => d.PgdSteps };
        var pgdStepSize = new Option<double>("--pgd-step-size") { Description = "PGD step size", DefaultValueFactory = _ => d.PgdStepSize };
        var pgdRestarts = new Option<int>("--pgd-restarts") { Description = "PGD random restarts (final evaluation)", DefaultValueFactory = _ => d.PgdRestarts };
        var trainLimit = new Option<int?>("--train-limit") { Description = "Use only the first N training images" };
        var testLimit = new Option<int?>("--test-limit") { Description = "Evaluate on the first N test images" };
        var outDir = new Option<string?>("--out") { Description = "Output folder (default runs/<preset or net>-seed<seed>, numbered -2, -3 … when taken by another run). A folder that holds the same run continues it" };
        var smoothing = new Option<string>("--smoothing") { Description = $"Gaussian loss smoothing of the training loss: {string.Join(", ", TrainConfig.Smoothings)} (pgpe: zeroth-order antithetic estimate; rgs: mean of gradients at perturbed weights)", DefaultValueFactory = _ => d.Smoothing };
        var sigma = new Option<double>("--sigma") { Description = "σ of the smoothing's weight noise (per parameter element)", DefaultValueFactory = _ => d.SmoothingSigma };
        var samples = new Option<int>("--samples") { Description = "Smoothing samples per step: antithetic pairs (pgpe) or perturbed gradients (rgs)", DefaultValueFactory = _ => d.SmoothingSamples };
        var sigmaEnd = new Option<double?>("--sigma-end") { Description = "Decay σ linearly to this value over the run (default: constant σ)" };
        var json = new Option<bool>("--json") { Description = "Print results.json to stdout instead of the summary lines" };
        var init = new Option<string>("--init") { Description = $"Weight initialization: {string.Join(", ", TrainConfig.Inits)} (ibp: N(0, (√(2π)/fan_in)²) for every weight but the last, Shi et al. 2021, training.md §4.6)", DefaultValueFactory = _ => d.Init };

        var initFrom = new Option<string?>("--init-from") { Description = "Start from these weights (a PyTorch state_dict of the same network, e.g. another run's model.pt, or an ONNX model, whose architecture is used when --net and --arch are not given): fine-tuning" };
        var exportOnnx = new Option<string?>("--export-onnx")
        { Description = "At the end of the run also write the final network as ONNX, to this file (default <out>/model.onnx)", Arity = ArgumentArity.ZeroOrOne };

        var command = new Command("train", "Train a network (natural, PGD or certified) and save checkpoints and results")
        {
            preset, budget, resume, net, arch, dataset, dataDir, mode, domain, verify, spec, epochs, batch, pieces, optimizer, lr, lrSchedule,
            milestones, stepEpochs, extraStep, eps, epsStart, epsTest, kappa1, kappa2, beta1, beta2, warmup, mix, reg, regKind, every,
            pgdSteps, pgdStepSize, pgdRestarts, trainLimit, testLimit, smoothing, sigma, samples, sigmaEnd, outDir, json, init, initFrom, force,
            exportOnnx,
        };
        command.SetAction(parse =>
        {
            bool quiet = parse.GetValue(CliApp.Quiet), asJson = parse.GetValue(json);
            var onnx = parse.GetResult(exportOnnx) is { Implicit: false } ? new OnnxTarget(parse.GetValue(exportOnnx)) : null;
            if (parse.GetValue(resume) is { } resumeDir) return Resume(resumeDir, parse.GetValue(outDir), parse.GetValue(CliApp.Threads), output, quiet, asJson, onnx);

            bool Given(Option o) => parse.GetResult(o) is { Implicit: false };
            T Pick<T>(Option<T> o, T current) => Given(o) ? parse.GetValue(o)! : current;

            TrainConfig Configure(TrainConfig start, IReadOnlyList<double> parsedMilestones)
            {
                long seed = Given(CliApp.Seed) ? parse.GetValue(CliApp.Seed) : start.Preset is null ? parse.GetValue(CliApp.Seed) : start.Seed;
                var config = start with
                {
                    Net = Pick(net, start.Net), ArchitectureFile = Pick(arch, start.ArchitectureFile), Dataset = Pick(dataset, start.Dataset).ToLowerInvariant(),
                    DataDir = Pick(dataDir, start.DataDir), Mode = Pick(mode, start.Mode), Domain = Pick(domain, start.Domain),
                    VerifyDomains = parse.GetValue(verify) is { } v ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        : Given(domain) ? [] : start.VerifyDomains,         // a new train domain certifies with itself
                    Spec = Pick(spec, start.Spec), Epochs = Pick(epochs, start.Epochs), BatchSize = Pick(batch, start.BatchSize),
                    BatchPieces = Pick(pieces, start.BatchPieces), Optimizer = Pick(optimizer, start.Optimizer), LearningRate = Pick(lr, start.LearningRate),
                    LrSchedule = Pick(lrSchedule, start.LrSchedule), LrMilestones = parsedMilestones, LrStepEpochs = Pick(stepEpochs, start.LrStepEpochs),
                    ReferenceLrExtraStep = Pick(extraStep, start.ReferenceLrExtraStep), Eps = Pick(eps, start.Eps), EpsStart = Pick(epsStart, start.EpsStart),
                    EpsTest = Given(epsTest) ? parse.GetValue(epsTest) : Given(eps) ? null : start.EpsTest,
                    Kappa1 = Pick(kappa1, start.Kappa1), Kappa2 = Pick(kappa2, start.Kappa2), Beta1 = Pick(beta1, start.Beta1), Beta2 = Pick(beta2, start.Beta2),
                    WarmupEpochs = Pick(warmup, start.WarmupEpochs), MixEpochs = Pick(mix, start.MixEpochs), Regularization = Pick(reg, start.Regularization),
                    RegularizationKind = Pick(regKind, start.RegularizationKind), CheckpointEvery = Pick(every, start.CheckpointEvery),
                    PgdSteps = Pick(pgdSteps, start.PgdSteps), PgdStepSize = Pick(pgdStepSize, start.PgdStepSize), PgdRestarts = Pick(pgdRestarts, start.PgdRestarts),
                    TrainLimit = Pick(trainLimit, start.TrainLimit), TestLimit = Pick(testLimit, start.TestLimit),
                    Smoothing = Pick(smoothing, start.Smoothing).ToLowerInvariant(), SmoothingSigma = Pick(sigma, start.SmoothingSigma),
                    SmoothingSamples = Pick(samples, start.SmoothingSamples), SmoothingSigmaEnd = Pick(sigmaEnd, start.SmoothingSigmaEnd),
                    Seed = seed, Threads = parse.GetValue(CliApp.Threads), Device = parse.GetValue(CliApp.Device)!, Init = Pick(init, start.Init).ToLowerInvariant(),
                    InitFrom = Given(initFrom) ? Path.GetFullPath(parse.GetValue(initFrom)!) : start.InitFrom,
                };
                // Fine-tuning an ONNX model without --net/--arch: the file's architecture (kept in the run's configuration).
                if (config.InitFrom is { } onnx && OnnxImport.IsOnnxPath(onnx) && !Given(net) && config.ArchitectureFile is null && start.Preset is null)
                    config = config with { ArchitectureFile = onnx };
                if (Given(epochs) && start.Preset is not null && !Given(warmup) && !Given(mix))
                {
                    double f = (double)config.Epochs / start.Epochs;          // keep the preset's phase proportions
                    config = config with { WarmupEpochs = start.WarmupEpochs * f, MixEpochs = start.MixEpochs * f };
                }
                return config;
            }

            var requested =
                from start in StartingPoint(parse.GetValue(preset), parse.GetValue(budget)!, Given(budget))
                from parsedMilestones in Milestones(parse.GetValue(milestones), start.LrMilestones)
                select Configure(start, parsedMilestones);
            return output.Exit(requested, CliApp.BadInput, config => parse.GetValue(outDir) is { } folder
                ? Into(config with { OutDir = folder }, parse.GetValue(force), output, quiet, asJson, onnx)
                : IntoDefault(config, output, quiet, asJson, onnx));
        });
        return command;
    }

    // The preset scaled by the budget, or the defaults; a budget without a preset is a mistake.
    static LanguageExt.Fin<TrainConfig> StartingPoint(string? presetName, string budget, bool budgetGiven) =>
        presetName is { } name ? Presets.Find(name).Bind(p => Presets.Scale(p.Config, budget))
        : budgetGiven ? FinFail<TrainConfig>(Error.New(ErrorCodes.InvalidConfig, "--budget scales a preset; pass --preset NAME too (see `certify presets`)."))
        : FinSucc(TrainConfig.Default);

    // --lr-milestones as numbers (the preset's when not given).
    static LanguageExt.Fin<IReadOnlyList<double>> Milestones(string? text, IReadOnlyList<double> current)
    {
        if (text is null) return FinSucc(current);
        var values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var m) ? m : double.NaN).ToList();
        return values.Count == 0 || values.Any(double.IsNaN)
            ? FinFail<IReadOnlyList<double>>(Error.New(ErrorCodes.InvalidConfig, $"--lr-milestones must be comma-separated numbers, got '{text}'."))
            : FinSucc<IReadOnlyList<double>>(values);
    }

    // --resume DIR (or FILE): the checkpoint's configuration; outputs into DIR (the run folder of FILE), or --out when given.
    static int Resume(string path, string? outDir, int threads, CliOutput output, bool quiet, bool asJson, OnnxTarget? onnx) =>
        output.Exit(Checkpoint.Resolve(path), CliApp.BadInput, point =>
        {
            var folder = outDir ?? (Directory.Exists(path) ? path : RunFolderOf(path));
            if (point.Note is { } note) output.Err.WriteLine($"note: {note}");
            return Continue(point, point.Header.Config with { OutDir = folder }, output, quiet, asJson, onnx, threads);
        });

    // A checkpoint file's run folder: the parent of its checkpoints/ folder, or its own folder.
    static string RunFolderOf(string checkpointFile)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(checkpointFile))!;
        return Path.GetFileName(dir) == "checkpoints" ? Path.GetDirectoryName(dir)! : dir;
    }

    // Continues (or, when complete, only reports) the run at the checkpoint, with outputs into config.OutDir.
    static int Continue(ResumePoint point, TrainConfig config, CliOutput output, bool quiet, bool asJson, OnnxTarget? onnx, int? threads = null)
    {
        var h = point.Header;
        if (h.State.Epoch >= h.Config.Epochs)
            output.Err.WriteLine($"note: the run in '{config.OutDir}' already completed all {h.Config.Epochs} epochs; evaluating it again.");
        else if (!quiet)
            output.Err.WriteLine($"resuming {point.Path}: step {h.State.Step}, epoch {h.State.Epoch + 1}, batch {h.State.Batch} " +
                                 $"(configuration from the checkpoint; other training flags are ignored) → {config.OutDir}");
        return Run(config, output, quiet, asJson, point.Path, threads, onnx);
    }

    // --out DIR: a fresh run, the same run continued, or a refusal when DIR holds another run (unless --force).
    static int Into(TrainConfig config, bool force, CliOutput output, bool quiet, bool asJson, OnnxTarget? onnx)
    {
        var state = RunFolder.Inspect(config.OutDir);
        output.Cluster.Barrier();               // every rank has looked at the folder before rank 0 changes it
        if (force && state is not FolderState.Free && !output.Cluster.IsRoot) return Run(config, output, quiet, asJson, onnx: onnx);
        if (force && state is not FolderState.Free)
        {
            RunFolder.Clear(config.OutDir);
            if (!quiet) output.Err.WriteLine($"note: --force: removed the previous run's files from '{config.OutDir}'");
            return Run(config, output, quiet, asJson, onnx: onnx);
        }
        switch (state)
        {
            case FolderState.HoldsRun { Point: var point } when RunFolder.SameRun(point.Header.Config, config):
                if (point.Header.State.Epoch >= point.Header.Config.Epochs && File.Exists(Path.Combine(config.OutDir, "results.json")))
                {
                    output.Err.WriteLine($"note: '{config.OutDir}' holds this run, completed ({point.Header.Config.Epochs}/{point.Header.Config.Epochs} epochs); " +
                                         "nothing to do. Use --force to train it again or a new --out.");
                    output.Out.WriteLine($"results: {Path.Combine(config.OutDir, "results.json")}, {Path.Combine(config.OutDir, "summary.md")}; weights: {Path.Combine(config.OutDir, "model.pt")}");
                    if (onnx is null) return 0;
                    var exportable =
                        from target in ExportCommand.CheckTarget(onnx.For(config.OutDir), "--export-onnx")
                        from description in NetworkJson.Load(Path.Combine(config.OutDir, "architecture.json")).ToFin()
                        select (target, description);
                    return output.Exit(exportable, CliApp.BadInput, e => ExportFinal(e.description, Path.Combine(config.OutDir, "model.pt"), e.target, output, asJson));
                }
                if (point.Note is { } note) output.Err.WriteLine($"note: {note}");
                return Continue(point, point.Header.Config with { OutDir = config.OutDir }, output, quiet, asJson, onnx, config.Threads);
            case FolderState.HoldsRun { Point: var other }:
                var differences = RunFolder.Differences(other.Header.Config, config);
                return output.Fail(Error.New(ErrorCodes.OutputFolderInUse,
                    $"'{config.OutDir}' holds a run at epoch {Math.Min(other.Header.State.Epoch + (other.Header.State.Batch > 0 ? 1 : 0), other.Header.Config.Epochs)}/{other.Header.Config.Epochs} " +
                    $"with another configuration ({string.Join("; ", differences.Take(3))}{(differences.Count > 3 ? $"; {differences.Count - 3} more" : "")}); " +
                    $"use --resume {config.OutDir} to continue it, a new --out, or --force to replace it."), CliApp.BadInput);
            case FolderState.Unusable(var files, var why):
                return output.Fail(Error.New(ErrorCodes.OutputFolderInUse,
                    $"'{config.OutDir}' holds a run's files ({string.Join(", ", files)}) but no checkpoint to continue from ({why.TrimEnd('.')}); " +
                    "use a new --out, or --force to replace them."), CliApp.BadInput);
            default:
                return Run(config, output, quiet, asJson, onnx: onnx);
        }
    }

    // No --out: runs/<preset or net>[-quick]-seed<S>, or -2, -3 …: the first folder that is free or holds this very run.
    static int IntoDefault(TrainConfig config, CliOutput output, bool quiet, bool asJson, OnnxTarget? onnx)
    {
        var name = Path.Combine("runs", $"{(config.Preset ?? config.Net).ToLowerInvariant()}{(Presets.Budget(config.Budget) is PresetBudget.Quick ? "-quick" : "")}-seed{config.Seed}");
        for (int n = 1; ; n++)
        {
            var folder = n == 1 ? name : $"{name}-{n}";
            var state = RunFolder.Inspect(folder);
            bool ours = state is FolderState.HoldsRun h && RunFolder.SameRun(h.Point.Header.Config, config);
            if (ours || state is FolderState.Free && !(Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any()))
                return Into(config with { OutDir = folder }, force: false, output, quiet, asJson, onnx);
        }
    }

    /// <summary>Validates, loads, trains, evaluates and reports. When resuming (<paramref name="resumeFrom"/>), <paramref name="requested"/>
    /// is the checkpoint's configuration and <paramref name="threads"/> (if given) this invocation's thread count: the run
    /// continues with the checkpoint's plan on that many threads. With <paramref name="onnx"/>, a completed run's final network
    /// is also written as ONNX (its target checked writable before training starts).</summary>
    public static int Run(TrainConfig requested, CliOutput output, bool quiet, bool asJson = false, string? resumeFrom = null, int? threads = null,
        OnnxTarget? onnx = null) =>
        OutputFolders.Cleaning(requested.OutDir, () => Checked(requested, output, quiet, asJson, resumeFrom, threads, onnx));   // a refused run leaves no empty folder

    static int Checked(TrainConfig requested, CliOutput output, bool quiet, bool asJson, string? resumeFrom, int? threads, OnnxTarget? onnx)
    {
        var effective = threads is { } t ? requested with { Threads = t } : requested;
        var planned =
            from validated in TrainConfig.Validate(effective, NetworkCatalog.Names, DatasetCatalog.Names).ToFin()
            from plan in TrainPlan.From(requested)
            select plan;
        return output.Exit(planned, CliApp.BadInput, plan =>
        {
            torch.set_num_threads(effective.Threads);
            var config = plan.Config;
            var prepared =
                from writable in OutputFolders.EnsureWritable(config.OutDir)
                from onnxPath in onnx is null ? FinSucc(LanguageExt.Option<string>.None) : ExportCommand.CheckTarget(onnx.For(config.OutDir), "--export-onnx").Map(Some)
                from passed in KernelGate.Check(plan.Device)
                from train in DatasetCatalog.Load(config.Dataset, config.DataDir, Split.Train)
                from test in DatasetCatalog.Load(config.Dataset, config.DataDir, Split.Test)
                let trainData = config.TrainLimit is { } n ? train.Take(n) : train
                from resolved in NetworkResolution.ResolveTrainer(config, trainData.Shape)
                select (Train: trainData, Test: test, resolved.Description, resolved.Trainer, Onnx: onnxPath);
            return output.Exit(prepared, CliApp.BadInput, p => Train(plan, effective.Threads, p.Train, p.Test, p.Description, p.Trainer, output, quiet, asJson, resumeFrom, p.Onnx));
        });
    }

    static int Train(TrainPlan plan, int threads, Dataset trainData, Dataset testData, NetworkDescription description, NetworkTrainer trainer,
        CliOutput output, bool quiet, bool asJson, string? resumeFrom, LanguageExt.Option<string> onnx)
    {
        var config = plan.Config;
        var cluster = output.Cluster;
        if (cluster.IsRoot)
        {
            Directory.CreateDirectory(config.OutDir);
            AtomicFile.WriteAllText(Path.Combine(config.OutDir, "architecture.json"), NetworkJson.ToJson(description));
        }

        if (!quiet)
        {
            string what = plan.Mode is TrainMode.Certified ? $"certified training ({config.Domain}, ε {config.EpsStart:G4}→{config.Eps:G4})" : $"{config.Mode} training";
            if (plan.Smoothing is GaussianSmoothing)
                what += $" with {config.Smoothing} loss smoothing (σ {config.SmoothingSigma:G4}{(config.SmoothingSigmaEnd is { } end ? $"→{end:G4}" : "")}, {config.SmoothingSamples} samples)";
            output.Err.WriteLine($"{what} of {description.Name} ({description.ParameterCount:N0} parameters) on {trainData.Count} {config.Dataset} images, " +
                                 $"{config.Epochs} epochs, batch {config.BatchSize}{(cluster.IsParallel ? $" split over {cluster.Size} ranks" : "")}, {threads} thread(s){(cluster.IsParallel ? " per rank" : "")}, seed {config.Seed}" +
                                 $"{(config.Preset is null ? "" : $", preset {config.Preset} ({config.Budget})")} → {config.OutDir}");
        }
        using var signals = new StopSignals(output.Err, !cluster.IsParallel ? "finishing the current step and saving a checkpoint"
            : "all ranks finish the current step and rank 0 saves a checkpoint; if a rank failed, mpirun ends the job instead: the last " +
              $"checkpoint stays intact, continue with `certify train --resume {config.OutDir}` under any number of ranks");
        string? note = null;
        var progress = new ConsoleProgress(output.Err, quiet);
        var run = new TrainRun(progress, signals.Token, resumeFrom,
            Prepare: network => note = NetworkResolution.UseDatasetNormalization(network, trainData),
            Evaluation: progress.Evaluation, Cluster: cluster);
        var outcome = trainer.Run(plan, trainData, testData, run);
        if (note is not null && !quiet && resumeFrom is null) output.Err.WriteLine($"note: {note}");
        return outcome.Match(
            Succ: o => !cluster.IsRoot ? (o.Status is RunStatus.Completed ? 0 : signals.StoppedCode)
                : Report(o, config, output, asJson, signals.StoppedCode) is var code && code == 0 && o.Status is RunStatus.Completed
                ? onnx.Match(Some: target => ExportFinal(description, o.FinalModel, target, output, asJson), None: () => code)
                : code,
            Fail: e => output.Fail(e, e.Code is ErrorCodes.NonFinite or ErrorCodes.WriteFailed ? CliApp.Failed : CliApp.BadInput));
    }

    static int Report(TrainOutcome o, TrainConfig config, CliOutput output, bool asJson, int interruptedCode)
    {
        if (asJson)
        {
            output.Out.WriteLine(File.ReadAllText(Path.Combine(config.OutDir, "results.json")));
            return o.Status is RunStatus.Completed ? 0 : interruptedCode;
        }
        var inv = CultureInfo.InvariantCulture;
        if (o.Status is not RunStatus.Completed)
        {
            output.Out.WriteLine($"{o.Status.Name()}: {o.Epochs.Count} epoch(s) completed; resume with: certify train --resume {config.OutDir}");
            return interruptedCode;
        }
        double seconds = o.Epochs.Sum(e => e.Seconds);
        double images = o.Epochs.Sum(e => e.Seconds * e.ImagesPerSecond);
        output.Out.WriteLine(string.Create(inv, $"completed: {o.Epochs.Count} epochs, {seconds:F1} s training ({images / Math.Max(seconds, 1e-9):F0} img/s)"));
        if (o.Evaluation is { } ev)
        {
            output.Out.WriteLine(string.Create(inv, $"clean: {ev.Clean}/{ev.Images} ({100.0 * ev.Clean / ev.Images:F2} %)"));
            if (ev.PgdRobust is { } robust)
                output.Out.WriteLine(string.Create(inv, $"pgd: {robust}/{ev.Images} ({100.0 * robust / ev.Images:F2} %) at ε {ev.Eps:G4}"));
            foreach (var d in ev.Certified)
                output.Out.WriteLine(string.Create(inv, $"certified ({d.Domain}): {d.Certified}/{d.Images} ({100.0 * d.Certified / d.Images:F2} %) at ε {ev.Eps:G4}, {d.Seconds:F1} s"));
        }
        output.Out.WriteLine($"results: {Path.Combine(config.OutDir, "results.json")}, {Path.Combine(config.OutDir, "summary.md")}; weights: {o.FinalModel}");
        return 0;
    }

    // The run's final weights (a state_dict of `description`) written as ONNX to `target`; "onnx: …" on stdout (stderr with --json).
    static int ExportFinal(NetworkDescription description, string finalModel, string target, CliOutput output, bool asJson)
    {
        using var network = new InterpretedNetwork(description);
        return output.Exit(StateDict.Load(network, finalModel), CliApp.Failed, _ =>
        {
            OnnxExport.Write(network, target, $"{description.Name}, the final network of the training run in {Path.GetDirectoryName(Path.GetFullPath(finalModel))}, exported by `certify train --export-onnx`");
            (asJson ? output.Err : output.Out).WriteLine($"onnx: {ExportCommand.Summary(target, description)}");
            return 0;
        });
    }
}
