using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Certify.Functional.Errors;
using Certify.Functional.Networks;
using Certify.Functional.Runtime;
using Certify.Functional.Runtime.Cluster;
using Certify.Functional.Verification.Vnn;
using Certify.Functional.VnnLib;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Cli.Commands;

/// <summary><c>certify vnncomp --benchmark DIR</c>: runs every instance of a VNN-COMP category (its
/// <c>instances.csv</c>: onnx, vnnlib, timeout), writes one VNN-COMP result file per instance, a results table (CSV,
/// rewritten after every instance, so a stopped run keeps what it did and continues when started again with the same
/// settings) and a summary (counts and total time per network and for the category).</summary>
public static class VnnCompCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliOutput output)
    {
        var benchmark = new System.CommandLine.Option<string>("--benchmark") { Description = "The category's folder (holding instances.csv, onnx/, vnnlib/)", Required = true };
        var instances = new System.CommandLine.Option<string?>("--instances") { Description = "Instances file (default <benchmark>/instances.csv)" };
        var scale = new System.CommandLine.Option<double>("--timeout-scale") { Description = "Multiply every instance's timeout by this", DefaultValueFactory = _ => 1.0 };
        var outFile = new System.CommandLine.Option<string?>("--out") { Description = "Results table (default runs/vnncomp-<category>-<time>/results.csv); result files go to results/ beside it" };
        var limit = new System.CommandLine.Option<int?>("--limit") { Description = "Run only the first N instances" };
        var force = new System.CommandLine.Option<bool>("--force") { Description = "Start over when --out holds results of other settings" };
        var ladder = VnnLibCommand.Ladder();
        var bab = VnnLibCommand.Bab();
        var restarts = VnnLibCommand.Restarts();
        var steps = VnnLibCommand.Steps();
        var command = new Command("vnncomp", "Run a VNN-COMP category: every instance of its instances.csv, results in VNN-COMP's format")
        { benchmark, instances, scale, outFile, limit, force, ladder, restarts, steps, bab };
        command.SetAction(parse =>
        {
            double s = parse.GetValue(scale);
            if (!(s > 0) || !double.IsFinite(s))
                return output.Fail(Error.New(ErrorCodes.InvalidConfig, $"--timeout-scale must be a finite number > 0, got {s}."), CliApp.BadInput);
            if (parse.GetValue(limit) is <= 0) return output.Fail(Error.New(ErrorCodes.InvalidConfig, $"--limit must be > 0, got {parse.GetValue(limit)}."), CliApp.BadInput);
            string dir = parse.GetValue(benchmark)!;
            var device = Devices.Parse(parse.GetValue(CliApp.Device)!);
            torch.set_num_threads(parse.GetValue(CliApp.Threads));
            var cluster = output.Cluster;
            string category = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)));
            // Rank 0 names the default folder (a time stamp: other ranks could read another second) and alone checks it and
            // reads the journal; the others learn the table and the instances done before from it.
            string table = Encoding.UTF8.GetString(cluster.Broadcast(Encoding.UTF8.GetBytes(!cluster.IsRoot ? ""
                : parse.GetValue(outFile) ?? Path.Combine(OutputFolders.Unique($"runs/vnncomp-{category}"), "results.csv"))));
            var prepared =
                from options in VnnLibCommand.Options(parse.GetValue(ladder), 1, parse.GetValue(CliApp.Seed), parse.GetValue(restarts), parse.GetValue(steps), parse.GetValue(bab)!)
                from rows in Instances.Read(dir, parse.GetValue(instances))
                from passed in KernelGate.Check(device)
                from folder in cluster.IsRoot ? OutputFolders.EnsureWritable(Path.GetDirectoryName(Path.GetFullPath(table))!) : FinSucc(unit)
                from done in cluster.IsRoot ? Journal.Read(table, Journal.Settings(options, s), parse.GetValue(force)) : FinSucc(new Dictionary<int, Row>())
                select (options, rows, done);
            // Every rank goes on only when all could prepare (a rank that failed says why; the others end quietly).
            if (cluster.Any(prepared.IsFail)) return prepared.IsFail ? output.Exit(prepared, CliApp.BadInput, _ => 0) : CliApp.BadInput;
            return output.Exit(prepared, CliApp.BadInput, ready =>
                Run(category, ready.rows.Take(parse.GetValue(limit) ?? int.MaxValue).ToArray(), ready.options, s, table, DoneBefore(cluster, ready.done), device,
                    output, parse.GetValue(CliApp.Quiet)));
        });
        return command;
    }

    // The instances done before: rank 0 read them from the journal; the other ranks need only their indices.
    static Dictionary<int, Row> DoneBefore(Cluster cluster, Dictionary<int, Row> read)
    {
        if (!cluster.IsParallel) return read;
        var indices = cluster.Broadcast(read.Keys.SelectMany(BitConverter.GetBytes).ToArray());
        return cluster.IsRoot ? read
            : Enumerable.Range(0, indices.Length / 4).Select(i => BitConverter.ToInt32(indices, 4 * i))
                .ToDictionary(i => i, i => new Row(new Instance(i, "", "", "", "", 1), "", "", 0, null, 0));
    }

    // Under an MPI job the pending instances go in rounds of one per rank (instance k of a round to rank k, times measured
    // on the rank that ran it); rank 0 gathers each round and writes, in instance order, what one process writes after each
    // instance: the result file, the results table and the progress line. A signal on any rank stops every rank after
    // the same round.
    static int Run(string category, Instance[] instances, PropertyOptions options, double scale, string table, Dictionary<int, Row> done,
        Device device, CliOutput output, bool quiet)
    {
        var cluster = output.Cluster;
        string folder = Path.GetDirectoryName(Path.GetFullPath(table))!;
        string results = Path.Combine(folder, "results");
        if (cluster.IsRoot) Directory.CreateDirectory(results);
        if (!quiet)
            output.Err.WriteLine($"vnncomp: {instances.Length} instance(s) of {category}{(done.Count > 0 ? $", {done.Count} done before (continuing)" : "")}; results: {table}");
        var networks = new Dictionary<string, Fin<NetworkModule>>();
        var properties = new Dictionary<string, Fin<VnnLibProperty>>();
        var rows = new SortedDictionary<int, Row>(done);
        var pending = instances.Where(i => !done.ContainsKey(i.Index)).ToArray();
        var inv = CultureInfo.InvariantCulture;
        using var signals = new StopSignals(output.Err, "finishing the current instance; run the same command again to continue");
        bool stopped = false;
        try
        {
            for (int round = 0; round < pending.Length; round += cluster.Size)
            {
                if (cluster.Any(signals.Stopped)) { stopped = true; break; }
                int mine = round + cluster.Rank;
                List<(int Index, Outcome Item)> solved = mine < pending.Length ? [(mine, Solve(pending[mine], networks, properties, options, scale, device))] : [];
                foreach (var (k, outcome) in cluster.Gather(solved, Outcome.Write, Outcome.Read) ?? [])
                {
                    var instance = pending[k];
                    if (outcome.Text is { } text) AtomicFile.WriteAllText(Path.Combine(results, instance.ResultName), text);
                    var row = new Row(instance, outcome.Result, outcome.Method, outcome.Seconds, outcome.Error, outcome.Subproblems);
                    rows[instance.Index] = row;
                    Journal.Write(table, Journal.Settings(options, scale), rows.Values);
                    if (!quiet)
                        output.Err.WriteLine(string.Create(inv,
                            $"[{rows.Count}/{instances.Length}] {instance.Name}: {row.Result}{(row.Method is "" ? "" : $" ({row.Method}{(row.Subproblems > 0 ? $", {row.Subproblems} subproblems" : "")})")} in {row.Seconds:F2} s{(row.Error is null ? "" : $": {row.Error}")}"));
                }
            }
        }
        finally
        {
            foreach (var n in networks.Values) n.IfSucc(m => m.Dispose());
        }
        if (!cluster.IsRoot) return 0;          // rank 0 ends the job (its exit code is the job's)
        var summary = Summary(category, rows.Values.ToArray(), scale, options);
        AtomicFile.WriteAllText(Path.Combine(folder, "summary.md"), summary);
        output.Out.Write(summary);
        output.Out.WriteLine($"results: {table}, result files: {results}");
        if (stopped)
        {
            output.Err.WriteLine($"stopped after {rows.Count} of {instances.Length} instance(s); run the same command again to continue");
            return signals.StoppedCode;
        }
        return rows.Values.Any(r => r.Result == "error") ? CliApp.Failed : 0;
    }

    // One instance: its network and property (loaded once per rank), decided within its timeout; the result file's text
    // (null for an instance that could not be read).
    static Outcome Solve(Instance instance, Dictionary<string, Fin<NetworkModule>> networks, Dictionary<string, Fin<VnnLibProperty>> properties,
        PropertyOptions options, double scale, Device device)
    {
        var clock = Stopwatch.StartNew();
        if (!networks.TryGetValue(instance.Onnx, out var network))
            networks[instance.Onnx] = network = OnnxNetworks.Load(instance.Onnx).Map(n => { n.to(device); n.eval(); return n; });
        if (!properties.TryGetValue(instance.VnnLib, out var property))
            properties[instance.VnnLib] = property = VnnLibReader.Load(instance.VnnLib);
        var checkedProperty = from n in network from p in property
                              from c in VnnLibReader.Check(p, n.Description.Input.Size, n.Description.Output.Size) select (n, c);
        double timeout = instance.Timeout * scale;
        return checkedProperty.Match(
            Succ: ready =>
            {
                using var scope = NewDisposeScope();
                var result = PropertyVerifier.Run(ready.n, ready.c, options with { TimeoutSeconds = timeout });
                return new Outcome(result.Word, result.Method, result.Seconds, null, result.ToVnnComp(), result.Subproblems);
            },
            Fail: e => new Outcome("error", "", clock.Elapsed.TotalSeconds, e.Message, null, 0));
    }

    // What a rank hands to rank 0 for one instance.
    sealed record Outcome(string Result, string Method, double Seconds, string? Error, string? Text, long Subproblems)
    {
        public static void Write(BinaryWriter w, Outcome o)
        {
            w.Write(o.Result);
            w.Write(o.Method);
            w.Write(o.Seconds);
            w.Write(o.Error is not null);
            if (o.Error is not null) w.Write(o.Error);
            w.Write(o.Text is not null);
            if (o.Text is not null) w.Write(o.Text);
            w.Write(o.Subproblems);
        }

        public static Outcome Read(BinaryReader r) =>
            new(r.ReadString(), r.ReadString(), r.ReadDouble(), r.ReadBoolean() ? r.ReadString() : null, r.ReadBoolean() ? r.ReadString() : null, r.ReadInt64());
    }

    static string Summary(string category, Row[] rows, double scale, PropertyOptions options)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder(string.Create(inv,
            $"# VNN-COMP category `{category}`\n\n{rows.Length} instance(s), timeout scale {scale}, stages pgd → {options.Stages}, seed {options.Seed}.\n\n"));
        text.Append("| network | instances | sat | unsat | unknown | timeout | error | decided by bab | bab subproblems | time (s) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        void Line(string name, IEnumerable<Row> group)
        {
            var g = group.ToArray();
            int Count(string word) => g.Count(r => r.Result == word);
            text.Append(string.Create(inv,
                $"| {Markdown.Cell(name)} | {g.Length} | {Count("sat")} | {Count("unsat")} | {Count("unknown")} | {Count("timeout")} | {Count("error")} | {g.Count(r => r.Method == "bab" && r.Result is "sat" or "unsat")} | {g.Sum(r => r.Subproblems)} | {g.Sum(r => r.Seconds):F1} |\n"));
        }
        foreach (var group in rows.GroupBy(r => Path.GetFileName(r.Instance.OnnxName)).OrderBy(g => g.Key, StringComparer.Ordinal))
            Line(group.Key, group);
        Line($"**{category}**", rows);
        return text.ToString();
    }

    /// <summary>One line of instances.csv, with its files resolved (a missing file also tried with <c>.gz</c>).</summary>
    sealed record Instance(int Index, string OnnxName, string VnnLibName, string Onnx, string VnnLib, double Timeout)
    {
        public string Name => $"{Path.GetFileName(OnnxName)} {Path.GetFileName(VnnLibName)}";
        public string ResultName => $"{Index:D4}-{Stem(OnnxName)}-{Stem(VnnLibName)}.txt";
        static string Stem(string name) => Path.GetFileName(name).Split('.')[0];
    }

    sealed record Row(Instance Instance, string Result, string Method, double Seconds, string? Error, long Subproblems);

    static class Instances
    {
        public static Fin<Instance[]> Read(string dir, string? csv)
        {
            if (!Directory.Exists(dir))
                return FinFail<Instance[]>(Error.New(ErrorCodes.MissingFile, $"Benchmark folder '{dir}' does not exist."));
            string path = csv ?? Path.Combine(dir, "instances.csv");
            if (!File.Exists(path))
                return FinFail<Instance[]>(Error.New(ErrorCodes.MissingFile, $"Instances file '{path}' does not exist. Expected lines 'onnx,vnnlib,timeout_seconds'."));
            var list = new List<Instance>();
            var lines = File.ReadAllLines(path);
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i].Trim();
                if (line.Length == 0 || line.StartsWith('#')) continue;
                var parts = line.Split(',').Select(p => p.Trim()).ToArray();
                if (parts.Length != 3 || !double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var timeout) || !(timeout > 0))
                    return FinFail<Instance[]>(Error.New(ErrorCodes.InvalidConfig,
                        $"{path}:{i + 1}: expected 'onnx,vnnlib,timeout_seconds' with a timeout > 0, got '{line}'."));
                list.Add(new Instance(list.Count, parts[0], parts[1], Resolve(dir, parts[0]), Resolve(dir, parts[1]), timeout));
            }
            return list.Count == 0
                ? FinFail<Instance[]>(Error.New(ErrorCodes.InvalidConfig, $"{path} lists no instances."))
                : list.ToArray();
        }

        static string Resolve(string dir, string name)
        {
            string path = Path.Combine(dir, name);
            return File.Exists(path) || !File.Exists(path + ".gz") ? path : path + ".gz";
        }
    }

    /// <summary>The results table, which is also the run's journal: its first line names the settings, and a run started
    /// again onto the same table with the same settings skips the instances it lists.</summary>
    static class Journal
    {
        const string Header = "index,onnx,vnnlib,timeout,result,method,seconds,error,subproblems";

        public static string Settings(PropertyOptions o, double scale) => string.Create(CultureInfo.InvariantCulture,
            $"# settings: ladder={string.Join(";", o.Ladder.Select(d => d.Name))} timeout-scale={scale:R} seed={o.Seed} quick={o.Quick} thorough={o.Thorough} bab={(o.Bab is null ? "off" : o.Bab.ToString())}");

        public static Fin<Dictionary<int, Row>> Read(string table, string settings, bool force)
        {
            var done = new Dictionary<int, Row>();
            if (!File.Exists(table) || force) return done;
            var lines = File.ReadAllLines(table);
            if (lines.Length < 2 || lines[0] != settings || lines[1] != Header)
                return FinFail<Dictionary<int, Row>>(Error.New(ErrorCodes.OutputFolderInUse,
                    $"'{table}' holds results of other settings (or is not a results table of this command). Use another --out, or --force to start over."));
            foreach (var line in lines.Skip(2))
            {
                var p = line.Split(',');
                if (p.Length < 9 || !int.TryParse(p[0], out int index)) continue;
                var instance = new Instance(index, p[1], p[2], "", "", double.Parse(p[3], CultureInfo.InvariantCulture));
                done[index] = new Row(instance, p[4], p[5], double.Parse(p[6], CultureInfo.InvariantCulture), p[7] == "" ? null : p[7], long.Parse(p[8], CultureInfo.InvariantCulture));
            }
            return done;
        }

        public static void Write(string table, string settings, IEnumerable<Row> rows)
        {
            var inv = CultureInfo.InvariantCulture;
            var text = new StringBuilder(settings).Append('\n').Append(Header).Append('\n');
            foreach (var r in rows)
                text.Append(inv, $"{r.Instance.Index},{r.Instance.OnnxName},{r.Instance.VnnLibName},{r.Instance.Timeout:R},{r.Result},{r.Method},{r.Seconds:F3},{(r.Error ?? "").Replace(',', ';').Replace('\n', ' ')},{r.Subproblems}\n");
            AtomicFile.WriteAllText(table, text.ToString());
        }
    }
}
