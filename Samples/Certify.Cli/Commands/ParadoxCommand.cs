using System.CommandLine;
using Certify.Functional.Runtime.Cluster;
using Certify.Functional.Reports.Paradox;
using Certify.Functional.Samples;
using LanguageExt.Common;
using static LanguageExt.Prelude;
using TorchSharp;

namespace Certify.Cli.Commands;

/// <summary><c>certify paradox</c>: the main job — train Box, hBox, CROWN-IBP (R), DeepZ, CROWN and the differentiable
/// Triangle under one schedule, certify each with itself, measure tightness, continuity and sensitivity on each trained
/// network, and write report.md, results.json and the plots. <c>--table4</c> runs the loose-Box experiment instead.</summary>
public static class ParadoxCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliOutput output)
    {
        var budget = new Option<string>("--budget") { Description = "quick (a first look, minutes), default (≤ 45 min on 2 cores, 2 seeds), extended (the committed longer run) or paper (the reference's 200-epoch schedule)", DefaultValueFactory = _ => "default" };
        var seeds = new Option<int?>("--seeds") { Description = "Seeds per relaxation (default: 2, quick 1); a verdict holds only when every seed agrees" };
        var workers = new Option<int?>("--workers") { Description = "Training runs at a time, one torch thread each (default 2)" };
        var triangle = new Option<bool>("--triangle") { Description = "Also train the differentiable Triangle (α-CROWN)" };
        var net = new Option<string>("--net") { Description = $"Network: {string.Join(", ", NetworkCatalog.Names)}", DefaultValueFactory = _ => "FC-SMALL" };
        var eps = new Option<double>("--eps") { Description = "ε of training (after warm-up and ramp) and evaluation", DefaultValueFactory = _ => 0.3 };
        var table4 = new Option<bool>("--table4") { Description = "Run the loose-Box experiment (widen ω vs round ω, W) instead" };
        var smoothing = new Option<bool>("--smoothing") { Description = "Add DeepZ, CROWN and Triangle trained with Gaussian loss smoothing (RGS) under the same budget" };
        var sigma = new Option<double>("--sigma") { Description = "σ of the smoothing's weight noise, absolute per weight element (--smoothing: 0.01; --finetune: 0.001)", DefaultValueFactory = _ => 0.01 };
        var samples = new Option<int>("--samples") { Description = "Samples per step of the smoothing block", DefaultValueFactory = _ => 4 };
        var table2 = new Option<bool>("--table2-settings") { Description = "Per-relaxation settings of the paper's Table 2 (FC rows): hBox κ → 0.5 and L1 5e-5, CROWN-IBP (R) κ → 0.5, DeepZ spec eye, CROWN no L1" };
        var finetune = new Option<bool>("--finetune") { Description = "Gaussian loss smoothing re-judged: fine-tune the DeepZ and CROWN networks of the finished study in --out plain, with RGS and with PGPE (CROWN), and compare with Box" };
        var finetuneEpochs = new Option<int>("--finetune-epochs") { Description = "Epochs of each --finetune run", DefaultValueFactory = _ => 5 };
        var outDir = new Option<string?>("--out") { Description = "Output folder (default runs/paradox-<budget>, runs/paradox-released)" };
        var released = new Option<string?>("--released")
        {
            Description = "Study the paper's released networks instead of training: DIR holds pretrained/ and pretrained-conv/ (default ../shared/reference, or $CERTIFY_SHARED/reference)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var limit = new Option<int?>("--limit") { Description = "With --released: cap every image count at N (a quick look)" };
        var only = new Option<string?>("--only") { Description = "With --released: groups to run, e.g. mnist-fc,mnist-conv (default: every group whose files and dataset exist)" };
        var noProperties = new Option<bool>("--no-properties") { Description = "With --released: certification only, no tightness/continuity/sensitivity" };
        var command = new Command("paradox", "Train every relaxation under one schedule and measure tightness, continuity and sensitivity (the paper's Table 1); --released: the same study on the paper's released networks")
        { budget, net, eps, table4, smoothing, sigma, samples, outDir, released, limit, only, noProperties, seeds, workers, triangle, finetune, finetuneEpochs, table2 };
        command.SetAction(parse =>
        {
            if (parse.GetResult(released) is not null)
            {
                var folder = parse.GetValue(released) ?? DefaultReleasedFolder();
                if (folder is null)
                    return output.Fail(Error.New(2001, "--released: no folder given and ../shared/reference does not exist here. The paper's weights are another project's " +
                        "files and are not in this repository: pass the folder holding pretrained/ and pretrained-conv/, e.g. --released /path/to/shared/reference."), CliApp.BadInput);
                if (parse.GetValue(limit) is < 1) return output.Fail(Error.New(1003, $"--limit must be ≥ 1, got {parse.GetValue(limit)}."), CliApp.BadInput);
                var releasedPlan = new ReleasedPlan(folder, parse.GetValue(outDir) ?? Path.Combine("runs", "paradox-released"), parse.GetValue(CliApp.Threads), parse.GetValue(CliApp.Seed))
                {
                    Eps = parse.GetValue(eps), Limit = parse.GetValue(limit), SkipProperties = parse.GetValue(noProperties),
                    Only = (parse.GetValue(only) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(o => o.ToLowerInvariant()).ToList(),
                };
                return RunReleased(releasedPlan, output, parse.GetValue(CliApp.Quiet));
            }
            var b = parse.GetValue(budget)!;
            bool quiet = parse.GetValue(CliApp.Quiet);
            if (output.Cluster.IsParallel)
            {
                // Only --released splits its work across ranks; the training studies run on rank 0 alone (the others would
                // write the same files).
                if (!output.Cluster.IsRoot) return 0;
                output.Err.WriteLine("note: `paradox` without --released does not split its work across ranks; rank 0 runs it alone.");
            }
            var planned =
                from common in ParadoxPlan.For(b, parse.GetValue(net)!, parse.GetValue(eps), parse.GetValue(CliApp.Seed), parse.GetValue(CliApp.Threads),
                    parse.GetValue(outDir) ?? Path.Combine("runs", $"paradox-{b}"))
                from seeded in parse.GetValue(seeds) is { } n
                    ? AtLeastOne(n, "--seeds").Map(count => common with { SeedCount = count })
                    : FinSucc(common)
                from staffed in parse.GetValue(workers) is { } w
                    ? AtLeastOne(w, "--workers").Map(count => seeded with { Workers = count })
                    : FinSucc(seeded)
                select Relaxations(staffed, parse.GetValue(table2), parse.GetValue(triangle));
            if (parse.GetValue(finetune))
            {
                // σ is absolute per weight element: 0.01 (the from-scratch default) is a third of a trained FC-SMALL layer's weight
                // RMS (0.026–0.042) and wrecks a converged network in one epoch; fine-tuning defaults to 0.001.
                double fineSigma = parse.GetResult(sigma) is { Implicit: false } ? parse.GetValue(sigma) : SmoothingFinetune.DefaultSigma;
                var fine = planned.Bind(p => SmoothingFinetune.Plan(p, parse.GetValue(finetuneEpochs), null, fineSigma, parse.GetValue(samples)));
                return output.Exit(fine, CliApp.BadInput, f => RunFinetune(f, output, quiet));
            }
            var study = parse.GetValue(smoothing)
                ? from p in planned
                  from s in Positive(parse.GetValue(sigma), parse.GetValue(samples))
                  select p with { Relaxations = [.. p.Relaxations, .. ParadoxPlan.SmoothingBlock], SmoothingSigma = s.Sigma, SmoothingSamples = s.Samples }
                : planned;
            return output.Exit(study, CliApp.BadInput, p => Run(p, parse.GetValue(table4), output, quiet));
        });
        return command;
    }

    static LanguageExt.Fin<int> AtLeastOne(int n, string flag) =>
        n >= 1 ? FinSucc(n) : FinFail<int>(Error.New(1003, $"{flag} must be ≥ 1, got {n}."));

    // --table2-settings and --triangle.
    static ParadoxPlan Relaxations(ParadoxPlan p, bool table2, bool triangle)
    {
        if (table2) p = p with { Relaxations = p.Relaxations.Select(ParadoxPlan.WithTable2Settings).ToList() };
        if (triangle) p = p with { Relaxations = [.. p.Relaxations, ParadoxPlan.Triangle] };
        return p;
    }

    // σ and samples of the smoothing block.
    static LanguageExt.Fin<(double Sigma, int Samples)> Positive(double sigma, int samples) =>
        !(sigma > 0) ? FinFail<(double, int)>(Error.New(1003, $"--sigma must be > 0, got {sigma}."))
        : samples < 1 ? FinFail<(double, int)>(Error.New(1003, $"--samples must be ≥ 1, got {samples}."))
        : FinSucc((sigma, samples));

    /// <summary>../shared/reference from the working folder or from the repository's parent, or $CERTIFY_SHARED/reference; null if none exists.</summary>
    static string? DefaultReleasedFolder()
    {
        if (Environment.GetEnvironmentVariable("CERTIFY_SHARED") is { Length: > 0 } shared && Directory.Exists(Path.Combine(shared, "reference")))
            return Path.Combine(shared, "reference");
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", "reference");
            if (Directory.Exists(candidate)) return Path.GetFullPath(candidate);
            if (File.Exists(Path.Combine(dir.FullName, "Certify.Functional.sln"))) break;
        }
        return null;
    }

    // The frame of every study: torch threads, the kernel gate (the studies run on the CPU), Ctrl-C and SIGTERM as a
    // cancellation token that says what happens (exit 130 / 143 through the body's interrupted code), and timestamped
    // stage messages.
    static int Guarded(CliOutput output, int threads, bool quiet, string onInterrupt, Func<ParadoxProgress, CancellationToken, Func<int>, int> body)
    {
        torch.set_num_threads(threads);
        return output.Exit(KernelGate.Check("cpu"), CliApp.BadInput, _ =>
        {
            using var signals = new StopSignals(output.Err, onInterrupt);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            void Say(string stage, string message) { if (!quiet) output.Err.WriteLine($"{clock.Elapsed:mm\\:ss} [{stage}] {message}"); }
            return body(Say, signals.Token, () => signals.StoppedCode);
        });
    }

    const string Resumable = "finishing the current step and saving a checkpoint; run the same command again to continue";

    static int RunReleased(ReleasedPlan plan, CliOutput output, bool quiet) =>
        Guarded(output, plan.Threads, quiet, "finishing the current certification; the report keeps the finished groups", (say, cancel, interrupted) =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            return output.Exit(ReleasedStudy.Run(plan, say, cancel, output.Cluster), CliApp.BadInput, groups =>
            {
                // Every rank ends the same way (a rank's own signal stops them all after the same unit).
                bool stopped = output.Cluster.Any(cancel.IsCancellationRequested);
                foreach (var g in groups)
                {
                    var (holds, images, counts) = ReleasedReport.Order(g);
                    output.Out.WriteLine($"{g.Name}: own certified on the first {images} images — {string.Join(", ", g.Networks.Select(n => $"{n.Label} {counts[n.Key]}"))}; " +
                        $"paper's order {(holds ? "holds" : "does not hold")}");
                }
                output.Out.WriteLine($"report: {Path.Combine(plan.OutDir, "report.md")}, results.json and per-image CSVs in {plan.OutDir} ({clock.Elapsed.TotalMinutes:F1} min)");
                return stopped ? interrupted() : 0;
            });
        });

    static int RunFinetune(ParadoxPlan plan, CliOutput output, bool quiet) =>
        Guarded(output, plan.Threads, quiet, Resumable, (say, cancel, interrupted) =>
            output.Exit(SmoothingFinetune.Run(plan, label => quiet ? null : new ConsoleProgress(output.Err, quiet, label), say, cancel), CliApp.Failed, rows =>
            {
                if (cancel.IsCancellationRequested) { output.Out.WriteLine("interrupted; run the same command again to continue"); return interrupted(); }
                foreach (var r in rows)
                    output.Out.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"seed {r.Seed} {r.Run.Label}: certified {100 * r.StartCertified:F1} % → {100 * r.Certified:F1} % (Box {100 * r.Box:F1} %)"));
                output.Out.WriteLine($"report: {Path.Combine(plan.OutDir, "report.md")}, results.json in {plan.OutDir}");
                return 0;
            }));

    static int Run(ParadoxPlan plan, bool table4, CliOutput output, bool quiet) =>
        Guarded(output, plan.Threads, quiet, Resumable, (say, cancel, interrupted) =>
        {
            if (table4)
                return output.Exit(Table4.Run(plan, say, cancel), CliApp.Failed, _ =>
                {
                    output.Out.WriteLine($"table 4: {Path.Combine(plan.OutDir, "table4", "table4.md")}, table4.png");
                    return cancel.IsCancellationRequested ? interrupted() : 0;
                });
            return output.Exit(ParadoxStudy.Run(plan, label => quiet ? null : new ConsoleProgress(output.Err, quiet, label), say, cancel), CliApp.Failed, _ =>
            {
                if (cancel.IsCancellationRequested) { output.Out.WriteLine("interrupted; run the same command again to continue"); return interrupted(); }
                output.Out.WriteLine(File.ReadAllText(Path.Combine(plan.OutDir, "table.md")));
                output.Out.WriteLine($"report: {Path.Combine(plan.OutDir, "report.md")}, results.json and plots in {plan.OutDir}");
                return 0;
            });
        });
}
