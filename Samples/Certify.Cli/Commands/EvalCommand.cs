using Certify.Functional.Runtime;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Certify.Functional.Data;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Training;
using Certify.Functional.Samples;
using LanguageExt.Common;
using TorchSharp;

namespace Certify.Cli.Commands;

/// <summary><c>certify eval</c>: loads a checkpoint (ours or the paper's PyTorch state dicts) and reports clean
/// accuracy, writing per-image predictions (CSV), results.json and summary.md.</summary>
public static class EvalCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliOutput output)
    {
        var selection = new ModelOptions();
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N test images" };
        var batch = new Option<int>("--batch-size") { Description = "Evaluation batch size", DefaultValueFactory = _ => 1000 };
        var outDir = new Option<string?>("--out") { Description = "Output folder (default runs/eval-<model folder>-<model>-<time>; <out>/eval when --out holds another command's run)" };
        var command = selection.AddTo(new Command("eval", "Evaluate a checkpoint's clean accuracy on a test set") { limit, batch, outDir });
        command.SetAction(parse =>
        {
            var m = selection.Read(parse);
            return Run(m, parse.GetValue(limit), parse.GetValue(batch), parse.GetValue(outDir),
                parse.GetValue(CliApp.Threads), parse.GetValue(CliApp.Device)!, output, parse.GetValue(CliApp.Quiet));
        });
        return command;
    }

    static int Run(ModelSelection selection, int? limit, int batchSize, string? requestedOut, int threads, string deviceName, CliOutput output, bool quiet)
    {
        if (batchSize <= 0) return output.Fail(Error.New(1003, $"Batch size must be > 0, got {batchSize}."), CliApp.BadInput);
        if (limit is <= 0) return output.Fail(Error.New(1003, $"--limit must be > 0, got {limit}."), CliApp.BadInput);
        if (threads <= 0) return output.Fail(Error.New(1003, $"Threads must be > 0, got {threads}."), CliApp.BadInput);
        if (requestedOut is { } r && string.IsNullOrWhiteSpace(r)) return output.Fail(Error.New(1003, "Output folder (--out) must not be empty."), CliApp.BadInput);
        var (outDir, note) = OutputFolders.Choose("eval", requestedOut, selection.Model);
        return OutputFolders.Cleaning(outDir, () => output.Exit(OutputFolders.EnsureWritable(outDir), CliApp.BadInput, _ =>
        {
            torch.set_num_threads(threads);
            return output.Exit(selection.Load(), CliApp.BadInput, loaded => Evaluate(selection, loaded, limit, batchSize, outDir, note, threads, deviceName, output, quiet));
        }));
    }

    static int Evaluate(ModelSelection selection, LoadedModel loaded, int? limit, int batchSize, string outDir, string? folderNote, int threads, string deviceName, CliOutput output, bool quiet)
    {
        var (model, dataset) = (selection.Model, selection.Dataset);
        var (data, network, description, note) = loaded;
        using var _ = network;
        OutputFolders.Announce(output.Err, quiet, outDir, folderNote);
        if (note is not null && !quiet) output.Err.WriteLine($"note: {note}");

        var device = Devices.Parse(deviceName);
        network.to(device);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = Evaluation.Clean(network, data, batchSize, device, limit);
        clock.Stop();

        var inv = CultureInfo.InvariantCulture;
        var csv = new StringBuilder("img,label,pred\n");
        for (int i = 0; i < result.Total; i++) csv.Append(inv, $"{i},{data.Labels[i]},{result.Predictions[i]}\n");
        AtomicFile.WriteAllText(Path.Combine(outDir, "predictions.csv"), csv.ToString());
        var json = new
        {
            kind = "eval", model = Path.GetFullPath(model), network = description.Name, dataset, images = result.Total,
            clean = new { correct = result.Correct, total = result.Total, accuracy = result.Accuracy },
            seconds = clock.Elapsed.TotalSeconds, imagesPerSecond = result.Total / Math.Max(clock.Elapsed.TotalSeconds, 1e-9),
            machine = new { threads, device = deviceName },
        };
        AtomicFile.WriteAllText(Path.Combine(outDir, "results.json"), JsonSerializer.Serialize(json, RunReport.Json));
        AtomicFile.WriteAllText(Path.Combine(outDir, "summary.md"), string.Create(inv,
            $"# Evaluation of `{Path.GetFileName(model)}`\n\n{description.Name} on {dataset} test ({result.Total} images): " +
            $"clean **{result.Correct}/{result.Total}** ({100 * result.Accuracy:F2} %), {clock.Elapsed.TotalSeconds:F2} s, {threads} thread(s).\n"));

        output.Out.WriteLine(string.Create(inv, $"clean: {result.Correct}/{result.Total} ({100 * result.Accuracy:F2} %) in {clock.Elapsed.TotalSeconds:F2} s"));
        output.Out.WriteLine($"results: {Path.Combine(outDir, "results.json")}, per image: {Path.Combine(outDir, "predictions.csv")}");
        return 0;
    }
}
