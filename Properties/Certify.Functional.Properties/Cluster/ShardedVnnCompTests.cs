using System.Globalization;
using Certify.Functional.Properties.Vnn;
using Xunit.Abstractions;

namespace Certify.Functional.Properties.Cluster;

/// <summary>
/// <c>certify vnncomp</c> under <c>mpirun -np 2</c> writes what one process writes: the same results table (but for the
/// measured times), the same result files byte for byte, the same summary counts; and a run stopped under one rank count
/// continues under the other. On a benchmark the test generates (two seeded networks exported to ONNX, properties placed by
/// ONNX Runtime's grid as in <see cref="VnnRunnerTests"/>), and on the VNN-COMP <c>test</c> category from ../shared.
/// </summary>
public sealed class ShardedVnnCompTests(ITestOutputHelper output) : TorchTest
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    // onnx/grid-<seed>.onnx with four properties each: unsat by Box, sat over the wide box, unsat and sat over a small box.
    static string GeneratedBenchmark()
    {
        string dir = Directory.CreateTempSubdirectory("vnn-sharded-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "onnx"));
        Directory.CreateDirectory(Path.Combine(dir, "vnnlib"));
        var lines = new List<string>();
        foreach (ulong seed in new ulong[] { 4242, 77 })
        {
            var model = VnnRunnerTests.GeneratedNetwork(seed);
            File.WriteAllBytes(Path.Combine(dir, "onnx", $"grid-{seed}.onnx"), model);
            var (min, max) = VnnRunnerTests.GridRange(model);
            var (smallMin, smallMax) = VnnRunnerTests.GridRange(model, 0.3f, 0.32f);
            const string small = "(assert (>= X_0 0.3))\n(assert (<= X_0 0.32))\n(assert (>= X_1 0.3))\n(assert (<= X_1 0.32))";
            var properties = new (string Name, string Text)[]
            {
                ("never", VnnRunnerTests.Property("(assert (>= (- Y_0 Y_0) 1))")),
                ("reach", VnnRunnerTests.Property($"(assert (>= (- Y_0 Y_1) {(max - 0.25 * (max - min)).ToString("R", Inv)}))")),
                ("small", VnnRunnerTests.Property($"(assert (>= (- Y_0 Y_1) {(2 * smallMax - smallMin + 1e-3).ToString("R", Inv)}))", small)),
                ("small-reach", VnnRunnerTests.Property($"(assert (>= (- Y_0 Y_1) {(smallMax - 0.25 * (smallMax - smallMin)).ToString("R", Inv)}))", small)),
            };
            foreach (var (name, text) in properties)
            {
                File.WriteAllText(Path.Combine(dir, "vnnlib", $"{seed}-{name}.vnnlib"), text);
                lines.Add($"onnx/grid-{seed}.onnx,vnnlib/{seed}-{name}.vnnlib,30");
            }
        }
        File.WriteAllLines(Path.Combine(dir, "instances.csv"), lines);
        return dir;
    }

    (int Code, string Out, string Err) Vnncomp(int ranks, string benchmark, string table, params string[] more)
    {
        string[] args = ["vnncomp", "--benchmark", benchmark, "--out", table, .. more];
        var run = ranks == 1 ? MpiRun.Single(args) : MpiRun.Certify(ranks, args);
        output.WriteLine($"{ranks} rank(s) {string.Join(' ', more)}: exit {run.Code}\n{run.Err}");
        Assert.Equal(0, run.Code);
        return run;
    }

    // The table without its measured times (column 7, "seconds"); the result files by name and content; the summary's
    // counts (its last column is a time).
    static string[] Table(string table) => File.ReadAllLines(table).Select(l => l.StartsWith('#') ? l
        : string.Join(',', l.Split(',').Where((_, i) => i != 6))).ToArray();

    static (string Name, string Text)[] ResultFiles(string table) =>
        Directory.GetFiles(Path.Combine(Path.GetDirectoryName(table)!, "results")).Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), File.ReadAllText(f))).ToArray();

    static string[] Summary(string table) => File.ReadAllLines(Path.Combine(Path.GetDirectoryName(table)!, "summary.md"))
        .Select(l => l.StartsWith("| ", StringComparison.Ordinal) ? l[..l.TrimEnd(' ', '|').LastIndexOf('|')] : l).ToArray();

    static void Same(string expected, string actual)
    {
        Assert.Equal(Table(expected), Table(actual));
        Assert.Equal(ResultFiles(expected), ResultFiles(actual));
        Assert.Equal(Summary(expected), Summary(actual));
    }

    [MpiFact]
    public void Two_ranks_write_what_one_process_writes_and_each_continues_the_others_stopped_run()
    {
        string benchmark = GeneratedBenchmark(), outDir = Directory.CreateTempSubdirectory("vnn-sharded-out-").FullName;
        string T(string name) => Path.Combine(outDir, name, "results.csv");
        try
        {
            Vnncomp(1, benchmark, T("one"));
            var answers = Table(T("one")).Skip(2).Select(l => l.Split(',')[4]).ToArray();
            Assert.Equal(8, answers.Length);
            Assert.Contains("sat", answers);                 // result files with counterexamples travel between ranks too
            Assert.Contains("unsat", answers);

            var two = Vnncomp(2, benchmark, T("two"));
            Same(T("one"), T("two"));
            Assert.Contains("[8/8]", two.Err);               // rank 0 prints every instance's line
            Assert.Equal(8, two.Err.Split('\n').Count(l => l.StartsWith('[') && l.Contains("/8]", StringComparison.Ordinal)));

            // Stopped under two ranks after three instances (an uneven last round), continued by one process; and the other way.
            Vnncomp(2, benchmark, T("two-then-one"), "--limit", "3");
            Assert.Contains("3 done before (continuing)", Vnncomp(1, benchmark, T("two-then-one")).Err);
            Same(T("one"), T("two-then-one"));
            Vnncomp(1, benchmark, T("one-then-two"), "--limit", "5");
            Assert.Contains("5 done before (continuing)", Vnncomp(2, benchmark, T("one-then-two")).Err);
            Same(T("one"), T("one-then-two"));
        }
        finally
        {
            Directory.Delete(benchmark, recursive: true);
            Directory.Delete(outDir, recursive: true);
        }
    }

    [MpiVnnCompFact]
    public void The_test_category_under_two_ranks_equals_one_process()
    {
        string benchmark = Path.Combine(SharedFiles.VnnComp!, "test"), outDir = Directory.CreateTempSubdirectory("vnn-sharded-test-").FullName;
        try
        {
            Vnncomp(1, benchmark, Path.Combine(outDir, "one", "results.csv"));
            Vnncomp(2, benchmark, Path.Combine(outDir, "two", "results.csv"));
            Same(Path.Combine(outDir, "one", "results.csv"), Path.Combine(outDir, "two", "results.csv"));
            Assert.Equal(5, Table(Path.Combine(outDir, "two", "results.csv")).Length - 2);
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }
}

/// <summary>A fact that runs <c>mpirun</c> on the VNN-COMP 2022 benchmarks from ../shared/vnncomp2022; skipped, with the
/// reason, without Open MPI or without the benchmarks.</summary>
public sealed class MpiVnnCompFactAttribute : FactAttribute
{
    /// <inheritdoc/>
    public override string? Skip
    {
        get => base.Skip ?? (MpiRun.Mpirun is null ? MpiRun.Absent : SharedFiles.VnnComp is null ? SharedFiles.VnnCompAbsent : null);
        set => base.Skip = value;
    }
}
