using Certify.Functional.Runtime;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Certify.Functional.Training;
using Certify.Functional.Samples;
using LanguageExt.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Cli.Commands;

/// <summary><c>certify attack</c>: PGD adversarial accuracy of a checkpoint (training.md §6: random start, signed steps of
/// 0.01, projection onto the ε-ball and [0, 1]; plus restarts), per image (CSV) and aggregated (JSON, Markdown).</summary>
public static class AttackCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliOutput output)
    {
        var selection = new ModelOptions();
        var eps = new Option<double>("--eps") { Description = "ε in pixel units", DefaultValueFactory = _ => 0.3 };
        var steps = new Option<int>("--steps") { Description = "PGD steps", DefaultValueFactory = _ => 100 };
        var stepSize = new Option<double>("--step-size") { Description = "PGD step size", DefaultValueFactory = _ => 0.01 };
        var restarts = new Option<int>("--restarts") { Description = "Random restarts (an image counts as broken if any breaks it)", DefaultValueFactory = _ => 1 };
        var limit = new Option<int?>("--limit") { Description = "Attack only the first N test images" };
        var batch = new Option<int>("--batch-size") { Description = "Batch size", DefaultValueFactory = _ => 100 };
        var outDir = new Option<string?>("--out") { Description = "Output folder (default runs/attack-<model folder>-<model>-<time>; <out>/attack when --out holds another command's run)" };
        var command = selection.AddTo(new Command("attack", "PGD adversarial accuracy of a checkpoint")
        { eps, steps, stepSize, restarts, limit, batch, outDir });
        command.SetAction(parse =>
        {
            var problems = new List<string>();
            double e = parse.GetValue(eps), size = parse.GetValue(stepSize);
            int s = parse.GetValue(steps), r = parse.GetValue(restarts), b = parse.GetValue(batch);
            if (!(e >= 0) || !double.IsFinite(e)) problems.Add($"--eps must be a finite number ≥ 0, got {e}.");
            if (s < 0) problems.Add($"--steps must be ≥ 0, got {s}.");
            if (!(size > 0) || !double.IsFinite(size)) problems.Add($"--step-size must be > 0, got {size}.");
            if (r < 1) problems.Add($"--restarts must be ≥ 1, got {r}.");
            if (b < 1) problems.Add($"--batch-size must be ≥ 1, got {b}.");
            if (parse.GetValue(limit) is <= 0) problems.Add($"--limit must be > 0, got {parse.GetValue(limit)}.");
            if (parse.GetValue(outDir) is { } o && string.IsNullOrWhiteSpace(o)) problems.Add("Output folder (--out) must not be empty.");
            if (problems.Count > 0) return output.Fail(Error.Many(problems.Select(p => Error.New(1003, p)).ToArray()), CliApp.BadInput);
            var m = selection.Read(parse);
            return Run(m, e, new PgdOptions(s, size, r), parse.GetValue(limit), b, parse.GetValue(outDir),
                parse.GetValue(CliApp.Seed), parse.GetValue(CliApp.Threads), parse.GetValue(CliApp.Device)!, output, parse.GetValue(CliApp.Quiet));
        });
        return command;
    }

    static int Run(ModelSelection selection, double eps, PgdOptions options, int? limit, int batchSize, string? requestedOut, long seed,
        int threads, string deviceName, CliOutput output, bool quiet)
    {
        if (threads <= 0) return output.Fail(Error.New(1003, $"Threads must be > 0, got {threads}."), CliApp.BadInput);
        var (outDir, note) = OutputFolders.Choose("attack", requestedOut, selection.Model);
        return OutputFolders.Cleaning(outDir, () => output.Exit(OutputFolders.EnsureWritable(outDir), CliApp.BadInput, _ =>
        {
            torch.set_num_threads(threads);
            var loaded =
                from passed in KernelGate.Check(deviceName)
                from model in selection.Load()
                select model;
            return output.Exit(loaded, CliApp.BadInput, m => Attack(selection, m, eps, options, limit, batchSize, outDir, note, seed, threads, deviceName, output, quiet));
        }));
    }

    static int Attack(ModelSelection selection, LoadedModel loaded, double eps, PgdOptions options, int? limit, int batchSize, string outDir, string? folderNote, long seed,
        int threads, string deviceName, CliOutput output, bool quiet)
    {
        var (model, dataset) = (selection.Model, selection.Dataset);
        var (data, network, _, note) = loaded;
        using var _ = network;
        OutputFolders.Announce(output.Err, quiet, outDir, folderNote);
        if (note is not null && !quiet) output.Err.WriteLine($"note: {note}");
        var device = Devices.Parse(deviceName);
        network.to(device);
        network.eval();

        int n = Math.Min(limit ?? data.Count, data.Count);
        var generator = new Generator(unchecked((ulong)seed), device);
        var clock = Stopwatch.StartNew();
        var (clean, robust) = Pgd.Evaluate(network, data, n, eps, options, batchSize, device, generator, done =>
        {
            if (!quiet && clock.Elapsed.TotalSeconds > 2)
                output.Err.WriteLine(FormattableString.Invariant($"attack: {done}/{n} images, {done / clock.Elapsed.TotalSeconds:F1} img/s"));
        });
        clock.Stop();

        var inv = CultureInfo.InvariantCulture;
        var csv = new StringBuilder("img,label,clean,pgd\n");
        for (int i = 0; i < n; i++) csv.Append(inv, $"{i},{data.Labels[i]},{(clean[i] ? 1 : 0)},{(robust[i] ? 1 : 0)}\n");
        AtomicFile.WriteAllText(Path.Combine(outDir, "per_image.csv"), csv.ToString());
        int cleanCount = clean.Count(v => v), robustCount = robust.Count(v => v);
        var json = new
        {
            kind = "attack", model = Path.GetFullPath(model), dataset, eps, images = n, seed,
            pgd = new { options.Steps, options.StepSize, options.Restarts },
            clean = new { correct = cleanCount, accuracy = (double)cleanCount / n },
            adversarial = new { correct = robustCount, accuracy = (double)robustCount / n },
            seconds = clock.Elapsed.TotalSeconds, machine = new { threads, device = deviceName },
        };
        AtomicFile.WriteAllText(Path.Combine(outDir, "results.json"), JsonSerializer.Serialize(json, RunReport.Json));
        AtomicFile.WriteAllText(Path.Combine(outDir, "summary.md"), string.Create(inv,
            $"# PGD attack on `{Path.GetFileName(model)}`\n\n{dataset}, first {n} test images, ε {eps}, {options.Steps} steps of {options.StepSize}, " +
            $"{options.Restarts} restart(s), seed {seed}: clean {cleanCount}/{n}, **adversarial {robustCount}/{n}** ({100.0 * robustCount / n:F2} %), {clock.Elapsed.TotalSeconds:F1} s.\n"));
        output.Out.WriteLine(string.Create(inv, $"clean: {cleanCount}/{n} ({100.0 * cleanCount / n:F2} %)"));
        output.Out.WriteLine(string.Create(inv, $"pgd: {robustCount}/{n} ({100.0 * robustCount / n:F2} %) at ε {eps} in {clock.Elapsed.TotalSeconds:F1} s"));
        output.Out.WriteLine($"results: {Path.Combine(outDir, "results.json")}, per image: {Path.Combine(outDir, "per_image.csv")}");
        return 0;
    }
}
