using Certify.Functional.Runtime;
using Certify.Functional.Runtime.Cluster;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Certify.Functional.Training;
using Certify.Functional.Data;
using Certify.Functional.Networks;
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
        return OutputFolders.OnRoot(output, "attack", requestedOut, selection.Model, (outDir, note) =>
        {
            torch.set_num_threads(threads);
            var loaded =
                from passed in KernelGate.Check(deviceName)
                from model in selection.Load()
                select model;
            return output.Exit(loaded, CliApp.BadInput, m => Attack(selection, m, eps, options, limit, batchSize, outDir, note, seed, threads, deviceName, output, quiet));
        });
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
        var clock = Stopwatch.StartNew();
        var (clean, robust) = Evaluate(output.Cluster, network, data, n, eps, options, batchSize, device, seed, done =>
        {
            if (!quiet && clock.Elapsed.TotalSeconds > 2)
                output.Err.WriteLine(FormattableString.Invariant($"attack: {done}/{n} images, {done / clock.Elapsed.TotalSeconds:F1} img/s"));
        });
        clock.Stop();
        if (!output.Cluster.IsRoot) return 0;           // rank 0 writes the files

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

    /// <summary>Clean and PGD correctness of the first <paramref name="n"/> images on rank 0 (empty arrays on the others).
    /// Batches of <paramref name="batchSize"/> from image 0, each attacked with its own random stream
    /// (<see cref="Pgd.BatchGenerator"/>: a function of the seed and the batch's first image), go round by round to the
    /// ranks, batch k of a round to rank k; rank 0 gathers each round and reports progress. Every rank count gives the
    /// same results.</summary>
    static (bool[] Clean, bool[] Robust) Evaluate(Cluster cluster, NetworkModule network, Dataset data, int n, double eps, PgdOptions options,
        int batchSize, Device device, long seed, Action<int> progress)
    {
        var clean = new bool[cluster.IsRoot ? n : 0];
        var robust = new bool[cluster.IsRoot ? n : 0];
        int batches = (n + batchSize - 1) / batchSize;
        network.eval();
        using var guard = GcGuard.Open();
        for (int round = 0; round < batches; round += cluster.Size)
        {
            guard.SafePoint();
            int batch = round + cluster.Rank, start = batch * batchSize;
            var mine = new List<(int Index, (bool[] Clean, bool[] Robust) Item)>();
            if (batch < batches)
            {
                using var generator = Pgd.BatchGenerator(seed, start, device);
                mine.Add((start, Pgd.EvaluateBatch(network, data, start, Math.Min(batchSize, n - start), eps, options, device, generator)));
            }
            var gathered = cluster.Gather<(bool[] Clean, bool[] Robust)>(mine, (w, r) =>
            {
                w.Write(r.Clean.Length);
                foreach (var (c, a) in r.Clean.Zip(r.Robust)) { w.Write(c); w.Write(a); }
            }, reader =>
            {
                int size = reader.ReadInt32();
                var (c, a) = (new bool[size], new bool[size]);
                for (int i = 0; i < size; i++) (c[i], a[i]) = (reader.ReadBoolean(), reader.ReadBoolean());
                return (c, a);
            });
            if (gathered is null) continue;
            foreach (var (first, (c, a)) in gathered)
            {
                c.CopyTo(clean, first);
                a.CopyTo(robust, first);
            }
            progress(Math.Min((round + cluster.Size) * batchSize, n));
        }
        return (clean, robust);
    }
}
