using Certify.Functional.Runtime;
using Certify.Functional.Runtime.Cluster;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Certify.Functional.Data;
using Certify.Functional.Errors;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Onnx;
using Certify.Functional.Training;
using Certify.Functional.Relaxations.DeepPoly;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Bab;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification.Triangle;
using Certify.Functional.Verification;
using Certify.Functional.Samples;
using Unit = LanguageExt.Unit;
using LanguageExt.Common;
using TorchSharp;
using static LanguageExt.Prelude;

namespace Certify.Cli.Commands;

/// <summary><c>certify verify</c>: certified accuracy of a checkpoint in one or more domains on the first N test
/// images; writes per_image.csv (the reference's column convention), lower_bounds.csv, results.json and summary.md.
/// Per-image results go to a journal as they are computed (<see cref="VerifyJournal"/>): Ctrl-C or SIGTERM stops after
/// the current batch, and a rerun with the same --out and configuration continues.</summary>
public static class VerifyCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliOutput output)
    {
        var d = new VerifyConfig();
        var net = new Option<string>("--net") { Description = $"Network: {string.Join(", ", NetworkCatalog.Names)}", DefaultValueFactory = _ => d.Net };
        var arch = new Option<string?>("--arch") { Description = "JSON layer description of a network not in the catalog" };
        var model = new Option<string>("--model") { Description = "PyTorch state_dict file (.pt), or an ONNX model (.onnx, .onnx.gz: carries its architecture, no --net needed)", Required = true };
        var eps = new Option<double>("--eps") { Description = "ε in pixel units (region [max(x−ε,0), min(x+ε,1)])", DefaultValueFactory = _ => d.Eps };
        var domains = new Option<string>("--domains") { Description = $"Comma-separated domains: {string.Join(", ", Domain.Names.Where(n => Domain.Parse(n).Map(d => d.IsSound).IfFail(false)))}", DefaultValueFactory = _ => "box" };
        var limit = new Option<int?>("--limit") { Description = "Certify only the first N test images" };
        var batch = new Option<int>("--batch-size") { Description = "Certification batch size", DefaultValueFactory = _ => d.BatchSize };
        var dataset = new Option<string>("--dataset") { Description = "mnist (embedded subset), fashion-mnist, cifar10", DefaultValueFactory = _ => d.Dataset };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder with the dataset's files" };
        var spec = new Option<string>("--spec") { Description = "diffs (logit differences merged into the last layer) or eye", DefaultValueFactory = _ => d.Spec };
        var keepNorm = new Option<bool>("--keep-normalization") { Description = "Keep the checkpoint's normalization constants instead of the dataset's" };
        var outDir = new Option<string?>("--out") { Description = "Output folder (default runs/verify-<model folder>-<model>-<time>); rerun with the same --out to continue a stopped run" };
        var force = new Option<bool>("--force") { Description = "Start over in an --out that holds a verify run with another configuration (its results are removed)" };
        var noFloat64 = new Option<bool>("--no-float64-check") { Description = "Certify on the float32 bounds alone, as the reference does (faster; a bound within float32 rounding of 0 may certify wrongly)" };
        var command = new Command("verify", "Certify a checkpoint's test images in one or more domains")
        { net, arch, model, eps, domains, limit, batch, dataset, dataDir, spec, keepNorm, outDir, force, noFloat64 };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(model)!;
            var config = d with
            {
                Net = parse.GetValue(net)!, NetGiven = parse.GetResult(net) is { Implicit: false }, ArchitectureFile = parse.GetValue(arch), Model = file, Eps = parse.GetValue(eps),
                Domains = Domain.SplitList(parse.GetValue(domains)!),
                Limit = parse.GetValue(limit), BatchSize = parse.GetValue(batch), Dataset = parse.GetValue(dataset)!.ToLowerInvariant(),
                DataDir = parse.GetValue(dataDir), Spec = parse.GetValue(spec)!.ToLowerInvariant(), KeepNormalization = parse.GetValue(keepNorm),
                OutDir = parse.GetValue(outDir), Force = parse.GetValue(force),
                Threads = parse.GetValue(CliApp.Threads), Device = parse.GetValue(CliApp.Device)!,
                Float64Check = !parse.GetValue(noFloat64),
            };
            return Run(config, output, parse.GetValue(CliApp.Quiet));
        });
        return command;
    }

    /// <summary>Validates, checks the output folder, loads, certifies (continuing a journal) and reports. Under an MPI job
    /// every rank runs this: rank 0 alone decides about the folder and the journal and writes every file; the batches are
    /// dealt to the ranks (<see cref="CertifyAll"/>).</summary>
    public static int Run(VerifyConfig config, CliOutput output, bool quiet) =>
        output.Exit(VerifyConfig.Validate(config).ToFin(), CliApp.BadInput, validated =>
        {
            // An ONNX model's normalisation is part of its graph: never replaced by the dataset's.
            if (OnnxImport.IsOnnxPath(config.Model)) config = config with { KeepNormalization = true };
            var (domains, kind) = validated;
            return OutputFolders.OnRoot(output, "verify", config.OutDir, config.Model, (folder, folderNote) =>
            {
                config = config with { OutDir = folder };
                torch.set_num_threads(config.Threads);
                var prepared =
                    from passed in KernelGate.Check(config.Device)
                    from data in DatasetCatalog.Load(config.Dataset, config.DataDir, Split.Test)
                    from resolved in NetworkResolution.ResolveModel(config.Net, config.NetGiven, config.ArchitectureFile, config.Model, data.Shape)
                    from fits in Fits(config, resolved.Description, domains)
                    from lp in LpSupported(resolved.Description, domains)
                    from bab in BabSupported(domains, kind)
                    select (Data: data, resolved.Description, resolved.Create, resolved.LoadWeights);
                return output.Exit(prepared, CliApp.BadInput, p =>
                {
                    using var network = p.Create();
                    int n = Math.Min(config.Limit ?? p.Data.Count, p.Data.Count);
                    int width = (int)p.Description.Output.Size - 1;
                    var fingerprint =
                        from loaded in p.LoadWeights(network)
                        let print = VerifyJournal.Fingerprint(config, p.Description.Name, domains.Map(d => d.Name), n)
                        from agreed in Agreed(output.Cluster, print)
                        select print;
                    return output.Exit(fingerprint, CliApp.BadInput, print => OpenJournal(output, folder, print, config.Force, domains, n, width, config.BatchSize,
                        (journals, done, resumed) =>
                        {
                            OutputFolders.Announce(output.Err, quiet, folder, folderNote);
                            return Certify(config, domains, kind, p.Data, p.Description, network, n, journals, done, resumed, output, quiet);
                        }));
                });
            });
        });

    // The ranks of a job must certify the same thing: the same model file, data, ε, domains … (on several machines a
    // --model or --data-dir path may name different files). Every rank checks every entry (a collective call each).
    static LanguageExt.Fin<Unit> Agreed(Cluster cluster, IReadOnlyList<(string Key, string Label, string Value)> fingerprint)
    {
        var differing = fingerprint.Where(f => !cluster.Agree(f.Value)).Select(f => f.Label).ToList();
        return differing.Count == 0 ? FinSucc(unit) : FinFail<Unit>(Error.New(ErrorCodes.ClusterUnavailable,
            $"the ranks of this job disagree about the {string.Join(", the ", differing)}: every rank must read the same model and data files " +
            "(on several machines: the same paths on a shared file system)"));
    }

    // Rank 0 opens the journal (continues it, starts it, or refuses the folder, printing why) and the domains' journals;
    // the other ranks touch no file and learn from rank 0 where each domain continues (or that it refused: exit 2).
    static int OpenJournal(CliOutput output, string folder, IReadOnlyList<(string Key, string Label, string Value)> fingerprint, bool force,
        LanguageExt.Seq<Domain> domains, int n, int width, int batchSize, Func<IReadOnlyList<DomainJournal>?, int[], bool, int> body)
    {
        var cluster = output.Cluster;
        if (!cluster.IsRoot)
        {
            var shared = cluster.Broadcast([]);
            if (shared.Length == 0) return CliApp.BadInput;
            using var reader = new BinaryReader(new MemoryStream(shared));
            bool resumed = reader.ReadBoolean();
            var positions = new int[domains.Count];
            for (int k = 0; k < positions.Length; k++) positions[k] = reader.ReadInt32();
            return body(null, positions, resumed);
        }
        return VerifyJournal.Open(folder, fingerprint, force).Match(
            Succ: opened =>
            {
                var journals = domains.Select((d, k) => opened.Journal.Domain(k, d.Name, n, width, batchSize)).ToList();
                try
                {
                    var done = journals.Select(j => j.Done).ToArray();
                    using var buffer = new MemoryStream();
                    using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
                    {
                        writer.Write(opened.Resumed);
                        foreach (var d in done) writer.Write(d);
                    }
                    cluster.Broadcast(buffer.ToArray());
                    return body(journals, done, opened.Resumed);
                }
                finally { foreach (var j in journals) j.Dispose(); }
            },
            Fail: e =>
            {
                int code = output.Fail(e, CliApp.BadInput);     // printed before a rank's exit can end the job
                cluster.Broadcast([]);
                return code;
            });
    }

    // A domain as bab.csv's first cell names it (its commas would split the cell).
    static string BabTableName(Domain domain) => domain.Name.Replace(',', ';');

    /// <summary>Keeps bab.csv's header and the rows of images below each domain's count in <paramref name="kept"/>;
    /// null (a fresh run): deletes the file.</summary>
    static void TrimBabTable(string path, IReadOnlyDictionary<string, int>? kept)
    {
        if (!File.Exists(path)) return;
        if (kept is null) { File.Delete(path); return; }
        var lines = File.ReadAllLines(path);
        var keep = lines.Take(1).Concat(lines.Skip(1).Where(line =>
        {
            var cells = line.Split(',');
            return cells.Length >= 2 && kept.TryGetValue(cells[0], out int done)
                && int.TryParse(cells[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int image) && image < done;
        }));
        File.WriteAllLines(path, keep);
    }

    // Refuse, before any work, back-substitutions that would not fit in memory (75 % of it by default).
    static LanguageExt.Fin<Unit> Fits(VerifyConfig config, NetworkDescription description, LanguageExt.Seq<Domain> domains) =>
        domains.OfType<DeepPolyDomain>().Aggregate(FinSucc(unit), (fits, d) => fits.Bind(_ =>
            BackSubstitutionMemory.Check(description, config.BatchSize, training: false, d.IbpIntermediate, BackSubstitutionMemory.DefaultBudget,
                // With the float64 confirmation both passes' blocks stay resident (the native heap keeps freed pages; measured
                // 4.4 GB peak RSS on CONV at batch 100 against 1.6 GB for float32 alone): count 4 + 8 bytes per element.
                config.Float64Check ? sizeof(float) + sizeof(double) : sizeof(float))));

    // The exact Triangle LP handles fully connected networks only.
    static LanguageExt.Fin<Unit> LpSupported(NetworkDescription description, LanguageExt.Seq<Domain> domains) =>
        domains.Exists(dm => dm is TriangleLpDomain) && LpNetwork.Unsupported(description) is { } unsupported
            ? FinFail<Unit>(Error.New(ErrorCodes.InvalidConfig, $"Domain 'triangle-lp': {unsupported}"))
            : FinSucc(unit);

    // Branch and bound bounds logit differences only.
    static LanguageExt.Fin<Unit> BabSupported(LanguageExt.Seq<Domain> domains, SpecKind kind) =>
        kind != SpecKind.Diffs && domains.Exists(dm => dm is BabDomain)
            ? FinFail<Unit>(Error.New(ErrorCodes.InvalidConfig, "Domain 'bab' bounds logit differences only: use it without --spec eye."))
            : FinSucc(unit);

    static int Certify(VerifyConfig config, LanguageExt.Seq<Domain> domains, SpecKind kind, Dataset data, NetworkDescription description, NetworkModule network,
        int n, IReadOnlyList<DomainJournal>? journals, int[] done, bool resumed, CliOutput output, bool quiet)
    {
        // Progress comes from a timer thread too: one synchronized writer for every stderr line of the run.
        var err = TextWriter.Synchronized(output.Err);
        if (!config.KeepNormalization && NetworkResolution.UseDatasetNormalization(network, data) is { } note && !quiet)
            err.WriteLine($"note: {note}");

        var device = Devices.Parse(config.Device);
        network.to(device);
        return CertifyAll(config, domains, kind, data, description, network, n, journals, done, resumed, output, err, device, quiet);
    }

    /// <summary>Certifies every domain from where its journal stopped. The batches (the single process's: they start at
    /// multiples of the batch size) go round by round to the ranks, batch k of a round to rank k; after each round rank 0
    /// gathers the round's results, appends them to the journals in image order and reports progress, and all ranks
    /// decide together whether a stop was requested (on any rank), so that they stop after the same round. One process:
    /// a round is one batch. <paramref name="journals"/> is rank 0's (null on the others), <paramref name="done"/> the
    /// images each domain has done, on every rank.</summary>
    static int CertifyAll(VerifyConfig config, LanguageExt.Seq<Domain> domains, SpecKind kind, Dataset data, NetworkDescription description,
        NetworkModule network, int n, IReadOnlyList<DomainJournal>? journals, int[] done, bool resumed, CliOutput output, TextWriter err, torch.Device device, bool quiet)
    {
        var inv = CultureInfo.InvariantCulture;
        var cluster = output.Cluster;
        int width = (int)description.Output.Size - 1, batchSize = config.BatchSize;
        if (resumed && !quiet)
            err.WriteLine($"continuing the run in {config.OutDir}: " + string.Join(", ", domains.Zip(done, (d, k) => $"{d.Name} {k}/{n}")) + " images done");

        // The clean pass is cheap: rank 0 alone (it writes per_image.csv).
        var cleanClock = Stopwatch.StartNew();
        var clean = cluster.IsRoot ? Evaluation.Clean(network, data, batchSize, device, n) : null;
        cleanClock.Stop();
        if (clean is not null) output.Out.WriteLine(string.Create(inv, $"clean: {clean.Correct}/{clean.Total} ({100 * clean.Accuracy:F2} %)"));

        // bab.csv belongs to this run: a fresh (or --force) run starts it anew; a continued one keeps the rows of the images
        // its journals hold (the rows of an unfinished batch come again). Several ranks write no bab.csv: an old one goes.
        string babTable = Path.Combine(config.OutDir ?? ".", "bab.csv");
        if (cluster.IsRoot)
            TrimBabTable(babTable, resumed && !cluster.IsParallel ? domains.Zip(done, (d, k) => (BabTableName(d), k)).DistinctBy(t => t.Item1).ToDictionary() : null);

        using var signals = new StopSignals(err, "finishing the current batch and keeping the results so far");
        using var progress = new VerifyProgress(err, quiet);
        var results = new List<DomainCertification>();
        int finished = 0;
        foreach (var (domain, k) in domains.Select((d, k) => (d, k)))
        {
            if (cluster.Any(signals.Stopped)) break;
            var journal = journals?[k];
            var lpClock = Stopwatch.StartNew();
            int lpFallbacks = 0, batchFallbacks = 0, lastBatch = 0;
            var lpProgress = domain is not TriangleLpDomain ? null : new LineProgress(p =>
            {
                // The LP counts fallbacks per batch (one call per batch); Example is the image's index in the run.
                int batch = p.Example / batchSize;
                if (batch != lastBatch) { lpFallbacks += batchFallbacks; batchFallbacks = 0; lastBatch = batch; }
                batchFallbacks = Math.Max(batchFallbacks, p.Fallbacks);
                // The LP is slow (two LPs per hidden neuron): a line at most every 2 s.
                if (lpClock.Elapsed.TotalSeconds < 2) return;
                lpClock.Restart();
                progress.Line(p.ToString());
            });
            int babImages = done[k];
            // Per image: how it ended, by which stage, the subproblems and the time (stderr, and bab.csv of one process).
            Verifier.BabProgress = domain is not BabDomain ? null : (_, image) =>
            {
                babImages++;
                string outcome = image.Falsified ? "counterexample" : image.Outcomes.Any(o => o is not null and not BabOutcome.Verified) ? "undecided" : "certified";
                string method = image.Falsified ? (image.Subproblems > 0 ? "bab" : "pgd") : image.Outcomes.Any(o => o is not null) ? "bab" : "alpha-crown";
                progress.Line(string.Create(inv, $"{domain.Name}: image {babImages}/{n}: {outcome} ({method}), {image.Subproblems} subproblems, {image.Seconds:F1} s"));
                if (cluster.IsParallel) return;
                if (!File.Exists(babTable)) File.WriteAllText(babTable, "domain,image,result,method,subproblems,seconds\n");
                File.AppendAllText(babTable, string.Create(inv, $"{BabTableName(domain)},{babImages - 1},{outcome},{method},{image.Subproblems},{image.Seconds:F3}\n"));
            };
            progress.Start(domain.Name, done[k], n, batchSize);
            // Rounds of Size batches from where the domain continues; this rank's batches are the round-robin deal of them.
            int first = done[k] / batchSize, batches = (n + batchSize - 1) / batchSize;
            var mine = cluster.Mine(batches - first).Select(i => (first + i) * batchSize).ToHashSet();
            var round = new List<CertifiedBatch>();
            using var stop = new CancellationTokenSource();
            done[k] = Certification.RunBatchesOf(network, data, n, config.Eps, domain, kind, batchSize, device, done[k], mine.Contains, (start, batch) =>
            {
                if (batch is not null) round.Add(batch);
                int index = start / batchSize;
                if ((index - first) % cluster.Size != cluster.Size - 1 && index != batches - 1) return;
                var gathered = cluster.Gather(round.Select(b => (b.Start, b)), CertifiedBatch.Write, CertifiedBatch.Read);
                round.Clear();
                if (gathered is not null && journal is not null)
                {
                    // A round's wall time is its slowest batch's (the ranks wait for it), shared by its images.
                    double seconds = gathered.Max(g => g.Item.Seconds);
                    int images = gathered.Sum(g => g.Item.Size);
                    foreach (var (_, b) in gathered) journal.Append(gathered.Count == 1 ? b : b with { Seconds = seconds * b.Size / images });
                    progress.BatchDone(journal.Done);
                }
                if (cluster.Any(signals.Stopped)) stop.Cancel();
            }, lpProgress, config.Float64Check, stop.Token);
            progress.Stop();
            Verifier.BabProgress = null;
            lpFallbacks += batchFallbacks;
            if (domain is TriangleLpDomain)
            {
                double[] total = [lpFallbacks];
                cluster.Sum(total);
                lpFallbacks = (int)total[0];
            }
            if (lpFallbacks > 0 && cluster.IsRoot)
                err.WriteLine($"warning: {domain.Name}: {lpFallbacks} LP solve(s) stopped short twice (time limit); those neurons kept their interval bounds: sound, but fewer images may be certified than the exact LP would.");
            if (done[k] < n) break;
            finished++;
            if (journal is null) continue;
            var r = new DomainCertification(domain, n, width, journal.LowerBounds, journal.Certified, journal.Seconds, journal.Refused.Count(x => x));
            results.Add(r);
            var refusedNote = r.RoundingRefusals > 0 ? $" ({r.RoundingRefusals} with float32 bounds > 0 refused by the float64 check)" : "";
            output.Out.WriteLine(string.Create(inv,
                $"{domain.Name}: certified {r.CertifiedCount}/{n} ({100.0 * r.CertifiedCount / Math.Max(n, 1):F2} %) in {r.Seconds:F2} s, {r.ImagesPerSecond:F1} img/s{refusedNote}"));
            if (!config.Float64Check && !quiet)
                err.WriteLine($"note: {domain.Name}: --no-float64-check: certified on float32 bounds alone; an image within float32 rounding of 0 may be certified wrongly.");
        }

        var stem = Path.GetFileNameWithoutExtension(config.Model);
        if (finished < domains.Count)
        {
            // Stopped by a signal (on any rank): the journal keeps every finished batch; the summary says how far the run got.
            int code = cluster.Any(signals.ExitCode == StopSignals.Terminated) ? StopSignals.Terminated : StopSignals.Interrupted;
            if (journals is not null && clean is not null)
            {
                WritePartial(config, description, n, kind, clean, domains, journals);
                output.Out.WriteLine($"stopped: " + string.Join(", ", domains.Zip(journals, (d, j) => $"{d.Name} {j.Done}/{n}")) +
                    $" images done (kept in {Path.Combine(config.OutDir!, VerifyJournal.FolderName)}); continue with the same command and --out {config.OutDir}");
            }
            cluster.Barrier();          // rank 0's files are written before any rank exits (a stopped rank ends the job)
            return code;
        }
        if (clean is not null)
        {
            WriteFiles(config, description, data, stem, n, kind, clean, cleanClock.Elapsed.TotalSeconds, results);
            output.Out.WriteLine($"results: {Path.Combine(config.OutDir!, "results.json")}, per image: {Path.Combine(config.OutDir!, "per_image.csv")}");
        }
        cluster.Barrier();
        return 0;
    }

    // results.json (status "stopped") and summary.md of a run stopped by a signal: images done per domain.
    static void WritePartial(VerifyConfig config, NetworkDescription description, int n, SpecKind kind, CleanResult clean,
        LanguageExt.Seq<Domain> domains, IReadOnlyList<DomainJournal> journals)
    {
        var inv = CultureInfo.InvariantCulture;
        var json = new
        {
            kind = "verify", status = "stopped", model = Path.GetFullPath(config.Model), network = description.Name, dataset = config.Dataset,
            eps = config.Eps, spec = kind == SpecKind.Eye ? "eye" : "diffs", images = n, batchSize = config.BatchSize,
            clean = new { correct = clean.Correct, total = clean.Total, accuracy = clean.Accuracy },
            domains = domains.Map(d => d.Name).ToArray(),
            done = domains.Zip(journals, (d, j) => new { domain = d.Name, images = j.Done, certified = j.Certified.Take(j.Done).Count(c => c), seconds = j.Seconds }).ToArray(),
            journal = Path.Combine(config.OutDir!, VerifyJournal.FolderName),
        };
        AtomicFile.WriteAllText(Path.Combine(config.OutDir!, "results.json"), JsonSerializer.Serialize(json, RunReport.Json));
        var md = new StringBuilder();
        md.Append(inv, $"# Verification of `{Path.GetFileName(config.Model)}` (stopped)\n\n");
        md.Append(inv, $"{description.Name} on {config.Dataset} test, first {n} images, ε = {config.Eps} (pixel units). The run was stopped; ");
        md.Append("rerun the same command with the same --out to continue it.\n\n");
        md.Append(Markdown.Row("domain", "images done", "certified so far")).Append('\n').Append(Markdown.Separator("lll")).Append('\n');
        foreach (var (d, j) in domains.Zip(journals))
            md.Append(Markdown.Row(d.Name, $"{j.Done}/{n}", j.Certified.Take(j.Done).Count(c => c).ToString(inv))).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(config.OutDir!, "summary.md"), md.ToString());
    }

    sealed class LineProgress(Action<TriangleLpProgress> report) : IProgress<TriangleLpProgress>
    {
        public void Report(TriangleLpProgress value) => report(value);
    }

    static void WriteFiles(VerifyConfig config, NetworkDescription description, Dataset data, string stem, int n, SpecKind kind,
        CleanResult clean, double cleanSeconds, IReadOnlyList<DomainCertification> results)
    {
        var inv = CultureInfo.InvariantCulture;
        var perImage = new StringBuilder("img,label,pred__").Append(stem);
        foreach (var r in results) perImage.Append(',').Append(Csv($"{stem}__{r.Domain.Name}"));
        perImage.Append('\n');
        for (int i = 0; i < n; i++)
        {
            perImage.Append(inv, $"{i},{data.Labels[i]},{clean.Predictions[i]}");
            foreach (var r in results) perImage.Append(r.Certified[i] ? ",1" : ",0");
            perImage.Append('\n');
        }
        AtomicFile.WriteAllText(Path.Combine(config.OutDir!, "per_image.csv"), perImage.ToString());

        int width = results.Count > 0 ? results[0].Width : (int)description.Output.Size - 1;
        var bounds = new StringBuilder("img,label,model,domain");
        for (int j = 0; j < width; j++) bounds.Append(inv, $",lb{j}");
        bounds.Append('\n');
        foreach (var r in results)
            for (int i = 0; i < n; i++)
            {
                bounds.Append(inv, $"{i},{data.Labels[i]},{Csv(stem)},{Csv(r.Domain.Name)}");
                foreach (var v in r.Row(i)) bounds.Append(',').Append(v.ToString("G9", inv));
                bounds.Append('\n');
            }
        AtomicFile.WriteAllText(Path.Combine(config.OutDir!, "lower_bounds.csv"), bounds.ToString());

        var json = new
        {
            kind = "verify", status = "completed", model = Path.GetFullPath(config.Model), network = description.Name, dataset = config.Dataset,
            eps = config.Eps, spec = kind == SpecKind.Eye ? "eye" : "diffs", images = n, batchSize = config.BatchSize,
            clean = new { correct = clean.Correct, total = clean.Total, accuracy = clean.Accuracy, seconds = cleanSeconds },
            domains = results.Select(r => r.Domain.Name).ToArray(),
            certified = results.Select(r => new
            {
                domain = r.Domain.Name, certified = r.CertifiedCount, total = r.Count, accuracy = (double)r.CertifiedCount / Math.Max(r.Count, 1),
                seconds = r.Seconds, imagesPerSecond = r.ImagesPerSecond, roundingRefusals = r.RoundingRefusals,
            }).ToArray(),
            float64Check = config.Float64Check,
            machine = new { threads = config.Threads, device = config.Device },
        };
        AtomicFile.WriteAllText(Path.Combine(config.OutDir!, "results.json"), JsonSerializer.Serialize(json, RunReport.Json));

        var md = new StringBuilder();
        md.Append(inv, $"# Verification of `{Path.GetFileName(config.Model)}`\n\n");
        md.Append(inv, $"{description.Name} on {config.Dataset} test, first {n} images, ε = {config.Eps} (pixel units), spec {(kind == SpecKind.Eye ? "eye" : "diffs")}, ");
        md.Append(inv, $"batch {config.BatchSize}, {config.Threads} thread(s), {config.Device}; ");
        md.Append(config.Float64Check ? "certificates confirmed in float64.\n\n" : "**float32 flags alone** (--no-float64-check).\n\n");
        md.Append(inv, $"Clean: **{clean.Correct}/{clean.Total}** ({100 * clean.Accuracy:F2} %).\n\n");
        md.Append(Markdown.Row("domain", "certified", "%", "time (s)", "images/s")).Append('\n').Append(Markdown.Separator("lllll")).Append('\n');
        foreach (var r in results)
            md.Append(Markdown.Row(r.Domain.Name, $"{r.CertifiedCount}/{r.Count}", (100.0 * r.CertifiedCount / Math.Max(r.Count, 1)).ToString("F2", inv),
                r.Seconds.ToString("F2", inv), r.ImagesPerSecond.ToString("F1", inv))).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(config.OutDir!, "summary.md"), md.ToString());
    }

    // RFC 4180 quoting for names with commas or quotes (domain options such as alpha-crown:steps=20,lr=0.1).
    static string Csv(string field) =>
        field.IndexOfAny([',', '"', '\n']) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";
}
