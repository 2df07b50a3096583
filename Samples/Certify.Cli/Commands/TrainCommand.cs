using System.CommandLine;
using Certify.Functional.Data;
using Certify.Functional.Layers;
using Certify.Functional.Pipeline;
using Certify.Functional.Samples;
using LanguageExt.Common;
using TorchSharp;

namespace Certify.Cli.Commands;

/// <summary><c>certify train</c>: trains a network (natural training in this version) and writes checkpoints,
/// results.json and summary.md into --out.</summary>
public static class TrainCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliOutput output)
    {
        var d = TrainConfig.Default;
        var net = new Option<string>("--net") { Description = $"Network: {string.Join(", ", NetworkCatalog.Names)}", DefaultValueFactory = _ => d.Net };
        var arch = new Option<string?>("--arch") { Description = "JSON layer description of a network not in the catalog" };
        var dataset = new Option<string>("--dataset") { Description = "mnist (embedded subset), fashion-mnist, cifar10", DefaultValueFactory = _ => d.Dataset };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder with the dataset's files (default: the dataset's default)" };
        var mode = new Option<string>("--mode") { Description = "Training mode: natural", DefaultValueFactory = _ => d.Mode };
        var epochs = new Option<int>("--epochs") { Description = "Epochs", DefaultValueFactory = _ => d.Epochs };
        var batch = new Option<int>("--batch-size") { Description = "Batch size", DefaultValueFactory = _ => d.BatchSize };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => d.LearningRate };
        var lrSchedule = new Option<string>("--lr-schedule") { Description = "Learning-rate schedule: constant, cosine", DefaultValueFactory = _ => d.LrSchedule };
        var eps = new Option<double>("--eps") { Description = "ε in pixel units (certified modes)", DefaultValueFactory = _ => d.Eps };
        var trainLimit = new Option<int?>("--train-limit") { Description = "Use only the first N training images" };
        var testLimit = new Option<int?>("--test-limit") { Description = "Evaluate on the first N test images" };
        var outDir = new Option<string?>("--out") { Description = "Output folder (default runs/train-<net>-seed<seed>)" };

        var command = new Command("train", "Train a network and save checkpoints and results")
        { net, arch, dataset, dataDir, mode, epochs, batch, lr, lrSchedule, eps, trainLimit, testLimit, outDir };
        command.SetAction(parse =>
        {
            var seed = parse.GetValue(CliApp.Seed);
            var config = d with
            {
                Net = parse.GetValue(net)!, ArchitectureFile = parse.GetValue(arch), Dataset = parse.GetValue(dataset)!.ToLowerInvariant(),
                DataDir = parse.GetValue(dataDir), Mode = parse.GetValue(mode)!, Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batch), LearningRate = parse.GetValue(lr), LrSchedule = parse.GetValue(lrSchedule)!, Eps = parse.GetValue(eps), Seed = seed,
                Threads = parse.GetValue(CliApp.Threads), Device = parse.GetValue(CliApp.Device)!,
                TrainLimit = parse.GetValue(trainLimit), TestLimit = parse.GetValue(testLimit),
                OutDir = parse.GetValue(outDir) ?? Path.Combine("runs", $"train-{parse.GetValue(net)!.ToLowerInvariant()}-seed{seed}"),
            };
            return Run(config, output, parse.GetValue(CliApp.Quiet));
        });
        return command;
    }

    /// <summary>Validates, loads, trains and reports.</summary>
    public static int Run(TrainConfig requested, CliOutput output, bool quiet)
    {
        var validated = TrainConfig.Validate(requested, NetworkCatalog.Names, DatasetCatalog.Names).ToFin();
        if (validated.IsFail) return output.Fail((Error)validated, CliApp.BadInput);
        var config = (TrainConfig)validated;

        torch.set_num_threads(config.Threads);
        var train = DatasetCatalog.Load(config.Dataset, config.DataDir, Split.Train);
        var test = DatasetCatalog.Load(config.Dataset, config.DataDir, Split.Test);
        if (train.IsFail) return output.Fail((Error)train, CliApp.BadInput);
        if (test.IsFail) return output.Fail((Error)test, CliApp.BadInput);
        var trainData = config.TrainLimit is { } n ? ((Dataset)train).Take(n) : (Dataset)train;
        var testData = (Dataset)test;

        var resolved = NetworkResolution.Resolve(config.Net, config.ArchitectureFile, trainData.Shape);
        if (resolved.IsFail) return output.Fail((Error)resolved, CliApp.BadInput);
        var (description, create) = ((NetworkDescription, Func<Certify.Functional.Networks.NetworkModule>))resolved;

        torch.manual_seed(config.Seed);
        using var network = create();
        if (NetworkResolution.UseDatasetNormalization(network, trainData) is { } note && !quiet) output.Err.WriteLine($"note: {note}");
        Directory.CreateDirectory(config.OutDir);
        AtomicFile.WriteAllText(Path.Combine(config.OutDir, "architecture.json"), NetworkJson.ToJson(description));

        if (!quiet)
            output.Err.WriteLine($"training {description.Name} ({description.ParameterCount:N0} parameters) on {trainData.Count} {config.Dataset} images, " +
                                 $"{config.Epochs} epochs, batch {config.BatchSize}, {config.Threads} thread(s), seed {config.Seed} → {config.OutDir}");
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (cancel.IsCancellationRequested) return;          // a second Ctrl-C terminates
            e.Cancel = true;
            cancel.Cancel();
            output.Err.WriteLine("\ninterrupt: finishing the current step and saving a checkpoint (Ctrl-C again to abort)");
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var outcome = NaturalTraining.Run(config, network, trainData, testData, new ConsoleProgress(output.Err, quiet), cancel.Token);
            if (outcome.IsFail) return output.Fail((Error)outcome, CliApp.Failed);
            var o = (TrainOutcome)outcome;
            var last = o.Epochs.LastOrDefault();
            output.Out.WriteLine(last is null
                ? $"{o.Status}: no epoch completed"
                : FormattableString.Invariant($"{o.Status}: {o.Epochs.Count} epochs, clean test accuracy {100 * last.TestAccuracy:F2} % ({last.TestCorrect}/{last.TestTotal}), {o.Epochs.Sum(e => e.Seconds):F1} s training"));
            output.Out.WriteLine($"results: {Path.Combine(config.OutDir, "results.json")}, {Path.Combine(config.OutDir, "summary.md")}; weights: {o.FinalModel}");
            return o.Status == "completed" ? 0 : 130;
        }
        finally { Console.CancelKeyPress -= onCancel; }
    }
}
