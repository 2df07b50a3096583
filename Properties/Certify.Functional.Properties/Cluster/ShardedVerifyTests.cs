using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Certify.Functional.Properties.Cli;

namespace Certify.Functional.Properties.Cluster;

/// <summary>A tiny trained network for the sharded tests (FC-SMALL, one epoch on 500 images, in-process: a few seconds),
/// made once per test class and removed after it.</summary>
public sealed class TinyModel : IDisposable
{
    /// <summary>The folder of the training run (model.pt) and of the tests' runs.</summary>
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "certify-sharded-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>model.pt of the training run.</summary>
    public string Model => Path.Combine(Dir, "run", "model.pt");

    /// <summary>Trains the network.</summary>
    public TinyModel()
    {
        Directory.CreateDirectory(Dir);
        var (code, _, err) = CliTests.Run("train", "--net", "FC-SMALL", "--epochs", "1", "--train-limit", "500", "--test-limit", "50",
            "--pgd-steps", "0", "--quiet", "--out", Path.Combine(Dir, "run"));
        if (code != 0 || !File.Exists(Model)) throw new InvalidOperationException($"training the tiny network failed: {err}");
    }

    /// <summary>Removes the folder.</summary>
    public void Dispose()
    {
        try { Directory.Delete(Dir, true); }
        catch (IOException) { }
    }
}

/// <summary>What the sharded tests compare: the files of a run, byte for byte except the wall times that two runs of one
/// process differ in too.</summary>
static class SameFiles
{
    /// <summary>Asserts that <paramref name="actual"/> holds the same files as <paramref name="expected"/> with the same
    /// bytes (<paramref name="exact"/>), or the same bytes once wall times are masked (results.json: seconds,
    /// imagesPerSecond; summary.md: time and images/s columns and "… s."; the journal's seconds column).</summary>
    public static void Assert(string expected, string actual, params string[] exact)
    {
        var names = Files(expected);
        Xunit.Assert.Equal(names, Files(actual));
        foreach (var name in names)
        {
            string a = File.ReadAllText(Path.Combine(expected, name)), b = File.ReadAllText(Path.Combine(actual, name));
            bool same = exact.Contains(name) ? a == b : Untimed(name, a) == Untimed(name, b);
            Xunit.Assert.True(same, $"{name} differs between {expected} and {actual}{(exact.Contains(name) ? "" : " (wall times aside)")}");
        }
    }

    static List<string> Files(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f)).Order(StringComparer.Ordinal).ToList();

    /// <summary>The text without its wall times.</summary>
    public static string Untimed(string name, string text) => Path.GetFileName(name) switch
    {
        "results.json" => Regex.Replace(text, "\"(seconds|imagesPerSecond)\": [^,\\n]+", "\"$1\": _"),
        "summary.md" => Regex.Replace(Regex.Replace(text, @"\| [\d.]+ \| [\d.]+ \|\n", "| _ | _ |\n"), @", [\d.]+ s\.\n", ", _ s.\n"),
        // journal/<k>.csv rows: img,certified,refused,seconds,lb0,…
        var csv when name.StartsWith("journal", StringComparison.Ordinal) && csv.EndsWith(".csv", StringComparison.Ordinal) =>
            Regex.Replace(text, @"^(\d+,[01],[01]),[^,\n]+", "$1,_", RegexOptions.Multiline),
        _ => text,
    };
}

/// <summary><c>certify verify</c> under <c>mpirun -np 2</c> (issue 17): the batches are dealt to the ranks and rank 0 writes
/// the files one process writes, byte for byte (but the wall times); a run stopped under 2 ranks continues under 1 and one
/// stopped under 1 continues under 2, to the files of a straight run.</summary>
public sealed class ShardedVerifyTests(TinyModel tiny) : TorchTest, IClassFixture<TinyModel>
{
    string[] Verify(string outDir, int limit, int batchSize) =>
        ["verify", "--net", "FC-SMALL", "--model", tiny.Model, "--eps", "0.01", "--domains", "box,deeppoly",
         "--limit", limit.ToString(CultureInfo.InvariantCulture), "--batch-size", batchSize.ToString(CultureInfo.InvariantCulture), "--out", outDir];

    [MpiFact]
    public void Two_ranks_write_the_files_of_one_process()
    {
        // 330 images in batches of 50: 7 batches, the last one short and alone in its round.
        string one = Path.Combine(tiny.Dir, "one"), two = Path.Combine(tiny.Dir, "two");
        var (code, _, err) = MpiRun.Single([.. Verify(one, 330, 50), "--quiet"]);
        Assert.True(code == 0, err);
        (code, var output, err) = MpiRun.Certify(2, [.. Verify(two, 330, 50), "--quiet"]);
        Assert.True(code == 0, err);
        SameFiles.Assert(one, two, "per_image.csv", "lower_bounds.csv", Path.Combine("journal", "config.json"));
        Assert.Single(Regex.Matches(output, "^results: ", RegexOptions.Multiline));     // rank 0 alone prints
        Assert.Contains("deeppoly: certified ", output);
    }

    [MpiFact]
    public void A_run_stopped_under_two_ranks_continues_under_one_and_back()
    {
        if (!OperatingSystem.IsLinux()) return;             // POSIX signals, /proc
        // Long enough to be stopped mid-way: DeepPoly on 400 images in 200 batches of 2.
        string straight = Path.Combine(tiny.Dir, "straight");
        var (code, _, err) = MpiRun.Single([.. Verify(straight, 400, 2), "--quiet"]);
        Assert.True(code == 0, err);
        foreach (var (stopRanks, continueRanks) in new[] { (2, 1), (1, 2) })
        {
            var stopped = Path.Combine(tiny.Dir, $"stopped-{stopRanks}-{continueRanks}");
            int kept = Stop(stopRanks, Verify(stopped, 400, 2), Path.Combine(stopped, "journal", "1.csv"));
            (code, _, err) = continueRanks == 1 ? MpiRun.Single(Verify(stopped, 400, 2)) : MpiRun.Certify(continueRanks, Verify(stopped, 400, 2));
            Assert.True(code == 0, err);
            Assert.Contains($"continuing the run in {stopped}: box 400/400, deeppoly {kept}/400 images done", err);
            SameFiles.Assert(straight, stopped, "per_image.csv", "lower_bounds.csv", Path.Combine("journal", "config.json"));
        }
    }

    // mpirun with MpiRun's options and `args` (the ranks' programs): (exit code, stdout, stderr).
    static (int Code, string Out, string Err) Mpirun(string[] args) => MpiRun.Run(MpiRun.Program([MpiRun.Mpirun!, .. MpiRun.Options, .. args]), 300);

    // Starts the run under `ranks` ranks (one plain process for 1), sends SIGTERM to the last rank (rank 1 of 2: rank 0
    // hears of it through the ranks' agreement) once the journal holds 20 images, and returns the images kept.
    static int Stop(int ranks, string[] args, string journal)
    {
        using var job = Captured.Start(MpiRun.Command(ranks, args, plainForOne: true));
        var process = job.Process;
        try
        {
            var clock = Stopwatch.StartNew();
            while (!(File.Exists(journal) && File.ReadLines(journal).Count() > 20) && !process.HasExited && clock.Elapsed.TotalSeconds < 120) Thread.Sleep(50);
            Assert.False(process.HasExited, $"the run ended before the signal: {job.Err}");
            int target = ranks == 1 ? process.Id : MpiRun.RankProcess(process.Id, ranks - 1);
            using (var kill = Process.Start("kill", ["-TERM", target.ToString(CultureInfo.InvariantCulture)])) kill.WaitForExit();
            Assert.True(process.WaitForExit(120_000), "the run did not stop");
            process.WaitForExit();
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        Assert.True(process.ExitCode == 143, $"exit {process.ExitCode}: {job.Err}");
        Assert.Contains("continue with the same command and --out", job.Out);
        Assert.Contains("\"status\": \"stopped\"", File.ReadAllText(Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(journal))!, "results.json")));
        int kept = File.ReadLines(journal).Count() - 1;
        Assert.InRange(kept, 20, 398);
        Assert.Equal(0, kept % 2);                       // whole batches
        return kept;
    }

    /// <summary>Ranks that would certify different things (here: the same --model path names another file on each rank, as
    /// on two machines without a shared folder) refuse before any file is written, with one clear error.</summary>
    [MpiFact]
    public void Ranks_that_read_different_models_refuse_before_writing()
    {
        string a = Path.Combine(tiny.Dir, "rank-a"), b = Path.Combine(tiny.Dir, "rank-b"), outDir = Path.Combine(tiny.Dir, "disagree");
        Directory.CreateDirectory(a);
        File.Copy(tiny.Model, Path.Combine(a, "model.pt"));
        var (code, _, err) = CliTests.Run("train", "--net", "FC-SMALL", "--epochs", "1", "--train-limit", "100", "--test-limit", "10",
            "--pgd-steps", "0", "--seed", "1", "--quiet", "--out", b);
        Assert.True(code == 0, err);
        string[] args = ["dotnet", Path.Combine(AppContext.BaseDirectory, "certify.dll"), "verify", "--net", "FC-SMALL", "--model", "model.pt",
            "--eps", "0.01", "--domains", "box", "--limit", "20", "--out", outDir];
        // One rank in each folder (mpirun's multiple-program form): "model.pt" is a different file for each.
        (code, _, err) = Mpirun(["-np", "1", "-wdir", a, .. args, ":", "-np", "1", "-wdir", b, .. args]);
        Assert.NotEqual(0, code);
        Assert.Contains("error CF2050: the ranks of this job disagree about the model file (SHA-256): ", err);
        Assert.False(Directory.Exists(outDir), "nothing written");
    }

    /// <summary>The acceptance check of issue 17: the paper's mnist_FC_box at ε 0.3, Box and CROWN-IBP on the whole
    /// 2,000-image subset, gives the same per_image.csv under 2 ranks as one process.</summary>
    [MpiSharedFact]
    public void Mnist_FC_box_per_image_results_are_the_same_under_two_ranks()
    {
        string[] Args(string outDir) => ["verify", "--net", "FC", "--model", SharedFiles.Pretrained("mnist_FC_box"), "--eps", "0.3",
            "--domains", "box,crown-ibp", "--out", outDir, "--quiet"];
        string one = Path.Combine(tiny.Dir, "fc-one"), two = Path.Combine(tiny.Dir, "fc-two");
        var (code, output, err) = MpiRun.Single(Args(one));
        Assert.True(code == 0, err);
        Assert.Contains("box: certified 1492/2000 ", output);   // the reference implementation's count
        (code, _, err) = MpiRun.Certify(2, Args(two));
        Assert.True(code == 0, err);
        Assert.Equal(2001, File.ReadAllLines(Path.Combine(two, "per_image.csv")).Length);
        SameFiles.Assert(one, two, "per_image.csv", "lower_bounds.csv");
    }
}

/// <summary>A fact that runs <c>mpirun</c> on the paper's released networks: skipped, with the reason, when Open MPI or
/// ../shared is absent.</summary>
public sealed class MpiSharedFactAttribute : FactAttribute
{
    /// <inheritdoc/>
    public override string? Skip { get => base.Skip ?? SharedFiles.SkipReason() ?? (MpiRun.Mpirun is null ? MpiRun.Absent : null); set => base.Skip = value; }
}
