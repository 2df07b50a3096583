using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Certify.Cli;

namespace Certify.Functional.Properties.Cli;

/// <summary>Issue 15 for <c>verify</c>, <c>eval</c> and <c>attack</c>, black-box through the command line (arguments and
/// files only): default output folders unique per run, a training run's files never overwritten, an unwritable --out
/// refused before any work, <c>verify</c> continued after a stop (and refusing another configuration), progress while a
/// long DeepPoly batch runs.</summary>
public class VerifyOutputTests : TorchTest
{
    // A tiny trained network (FC-SMALL, one epoch on 200 images): a few seconds.
    static string TrainTiny(string dir)
    {
        var (code, _, err) = CliTests.Run("train", "--epochs", "1", "--train-limit", "200", "--test-limit", "50", "--pgd-steps", "0", "--quiet", "--out", dir);
        Assert.True(code == 0, err);
        var model = Path.Combine(dir, "model.pt");
        Assert.True(File.Exists(model), "train writes model.pt");
        return model;
    }

    static Dictionary<string, string> Hashes(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(dir, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    static string[] Verify(string model, string outDir, params string[] extra) =>
        ["verify", "--net", "FC-SMALL", "--model", model, "--eps", "0.01", "--domains", "box,deeppoly", "--limit", "60", "--batch-size", "8",
         .. outDir.Length > 0 ? new[] { "--out", outDir } : [], .. extra];

    [Fact]
    public void Default_output_folders_are_unique_per_run_and_printed()
    {
        var dir = TempDir();
        var cwd = Directory.GetCurrentDirectory();
        try
        {
            var a = TrainTiny(Path.Combine(dir, "a"));
            Directory.CreateDirectory(Path.Combine(dir, "b"));
            var b = Path.Combine(dir, "b", "model.pt");
            File.Copy(a, b);
            Directory.SetCurrentDirectory(dir);
            var folders = new List<string>();
            var printed = new List<string>();
            foreach (var args in new[]
            {
                Verify(a, ""), Verify(b, ""), Verify(a, ""),
                ["eval", "--net", "FC-SMALL", "--model", a, "--limit", "50"], ["eval", "--net", "FC-SMALL", "--model", a, "--limit", "50"],
                ["attack", "--net", "FC-SMALL", "--model", b, "--limit", "20", "--steps", "2"], ["attack", "--net", "FC-SMALL", "--model", b, "--limit", "20", "--steps", "2"],
            })
            {
                var (code, output, err) = CliTests.Run(args);
                Assert.True(code == 0, err);
                var results = output.Split('\n').Single(l => l.StartsWith("results: "));
                var folder = Path.GetDirectoryName(results["results: ".Length..results.IndexOf(", ")])!;
                Assert.True(File.Exists(Path.Combine(dir, folder, "results.json")), folder);
                Assert.DoesNotContain(folder, folders);         // a new folder for every run
                folders.Add(folder);
                printed.Add(err);
            }
            for (int i = 0; i < folders.Count; i++)
            {
                Assert.Contains($"→ {folders[i]}\n", printed[i]);  // printed
                Assert.StartsWith(Path.Combine("runs", (i < 3 ? "verify" : i < 5 ? "eval" : "attack") + "-"), folders[i]);
            }
            Assert.Matches(@"^runs/verify-a-model-\d{8}-\d{6}(-\d+)?$", folders[0].Replace('\\', '/'));
            Assert.Matches(@"^runs/verify-b-model-\d{8}-\d{6}(-\d+)?$", folders[1].Replace('\\', '/'));
            // Nothing overwritten: every run's results.json still names its own model and command.
            for (int i = 0; i < folders.Count; i++)
                Assert.Contains($"\"kind\": \"{(i < 3 ? "verify" : i < 5 ? "eval" : "attack")}\"", File.ReadAllText(Path.Combine(dir, folders[i], "results.json")));
        }
        finally
        {
            Directory.SetCurrentDirectory(cwd);
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Eval_verify_and_attack_into_a_training_run_leave_its_files_as_they_are()
    {
        var dir = TempDir();
        try
        {
            var run = Path.Combine(dir, "run");
            var model = TrainTiny(run);
            var before = Hashes(run);
            Assert.Contains("results.json", before.Keys);
            foreach (var args in new[]
            {
                ["eval", "--net", "FC-SMALL", "--model", model, "--out", run, "--limit", "50"],
                Verify(model, run),
                new[] { "attack", "--net", "FC-SMALL", "--model", model, "--out", run, "--limit", "20", "--steps", "2" },
            })
            {
                var (code, output, err) = CliTests.Run(args);
                Assert.True(code == 0, err);
                var after = Hashes(run);
                foreach (var (file, hash) in before) Assert.True(after.TryGetValue(file, out var now) && now == hash, $"{args[0]} changed {file} of the training run");
                var sub = Path.Combine(run, args[0]);
                Assert.Contains($"results: {Path.Combine(sub, "results.json")}", output);
                Assert.Contains($"\"kind\": \"{args[0]}\"", File.ReadAllText(Path.Combine(sub, "results.json")));
            }
            Assert.Contains("\"kind\": \"train\"", File.ReadAllText(Path.Combine(run, "results.json")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void An_unwritable_out_is_refused_before_any_work()
    {
        var dir = TempDir();
        try
        {
            var model = TrainTiny(Path.Combine(dir, "run"));
            var file = Path.Combine(dir, "a-file");
            File.WriteAllText(file, "not a folder");
            var target = Path.Combine(file, "out");
            foreach (var args in new[]
            {
                Verify(model, target),
                ["eval", "--net", "FC-SMALL", "--model", model, "--out", target],
                ["attack", "--net", "FC-SMALL", "--model", model, "--out", target, "--limit", "20"],
            })
            {
                var (code, output, err) = CliTests.Run(args);
                Assert.Equal(CliApp.BadInput, code);
                var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                Assert.StartsWith($"error CF2030: cannot write to output folder '{target}': ", line);
                Assert.Contains("is a file, not a folder", line);
                Assert.Equal("", output);                      // no "clean: …": refused before any work
            }
            Assert.Equal("not a folder", File.ReadAllText(file));
        }
        finally { Directory.Delete(dir, true); }
    }

    // results.json without its timing fields (they differ between any two runs).
    static string Untimed(string json) => Regex.Replace(json, "\"(seconds|imagesPerSecond)\": [^,\\n]+", "\"$1\": _");

    static void AssertSameResults(string expected, string actual)
    {
        foreach (var name in new[] { "per_image.csv", "lower_bounds.csv" })
            Assert.True(File.ReadAllBytes(Path.Combine(expected, name)).SequenceEqual(File.ReadAllBytes(Path.Combine(actual, name))), $"{name} differs");
        Assert.Equal(Untimed(File.ReadAllText(Path.Combine(expected, "results.json"))), Untimed(File.ReadAllText(Path.Combine(actual, "results.json"))));
        Assert.Equal(Regex.Replace(File.ReadAllText(Path.Combine(expected, "summary.md")), @"\| [\d.]+ \| [\d.]+ \|\n", "|\n"),
            Regex.Replace(File.ReadAllText(Path.Combine(actual, "summary.md")), @"\| [\d.]+ \| [\d.]+ \|\n", "|\n"));
    }

    [Fact]
    public void Verify_continues_a_stopped_run_from_its_files_and_ends_with_the_same_results()
    {
        var dir = TempDir();
        try
        {
            var model = TrainTiny(Path.Combine(dir, "run"));
            string straight = Path.Combine(dir, "straight"), stopped = Path.Combine(dir, "stopped");
            var (code, _, err) = CliTests.Run(Verify(model, straight, "--quiet"));
            Assert.True(code == 0, err);
            (code, _, err) = CliTests.Run(Verify(model, stopped, "--quiet"));
            Assert.True(code == 0, err);

            // What a run killed during deeppoly leaves: box done, deeppoly's first 3 batches and a torn line, no results.
            var journal = Path.Combine(stopped, "journal", "1.csv");
            var lines = File.ReadAllLines(journal);
            File.WriteAllText(journal, string.Join("\n", lines.Take(1 + 3 * 8 + 5)) + "\n" + lines[30][..10]);
            foreach (var name in new[] { "results.json", "summary.md", "per_image.csv", "lower_bounds.csv" }) File.Delete(Path.Combine(stopped, name));

            (code, var output, err) = CliTests.Run(Verify(model, stopped));
            Assert.True(code == 0, err);
            Assert.Contains("box 60/60, deeppoly 24/60 images done", err);
            Assert.Contains("deeppoly: certified ", output);
            AssertSameResults(straight, stopped);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Verify_into_a_folder_with_another_configuration_is_refused_unless_forced()
    {
        var dir = TempDir();
        try
        {
            var model = TrainTiny(Path.Combine(dir, "run"));
            var outDir = Path.Combine(dir, "v");
            var (code, _, err) = CliTests.Run(Verify(model, outDir, "--quiet"));
            Assert.True(code == 0, err);
            var before = Hashes(outDir);

            var other = Verify(model, outDir, "--quiet");
            other[Array.IndexOf(other, "--eps") + 1] = "0.02";
            (code, var output, err) = CliTests.Run(other);
            Assert.Equal(CliApp.BadInput, code);
            var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("error CF2031: ", line);
            Assert.Contains("ε 0.01 there, 0.02 here", line);
            Assert.Contains("--force", line);
            Assert.Equal("", output);
            Assert.Equal(before, Hashes(outDir));

            (code, _, err) = CliTests.Run([.. other, "--force"]);
            Assert.True(code == 0, err);
            Assert.Contains("\"eps\": 0.02", File.ReadAllText(Path.Combine(outDir, "results.json")));
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>The real thing: a certify process stopped by SIGINT and by SIGTERM exits 130 / 143 with its finished
    /// batches kept, and the rerun continues to the same files as a straight run.</summary>
    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public void Verify_stopped_by_a_signal_keeps_what_is_done_and_continues(string signal, int exitCode)
    {
        if (!OperatingSystem.IsLinux()) return;             // POSIX signals; the in-process test above covers the journal
        var dir = TempDir();
        try
        {
            var model = TrainTiny(Path.Combine(dir, "run"));
            string straight = Path.Combine(dir, "straight"), stopped = Path.Combine(dir, "stopped");
            string[] args = ["verify", "--net", "FC-SMALL", "--model", model, "--eps", "0.01", "--domains", "box,deeppoly", "--limit", "600", "--batch-size", "1"];
            var (code, _, err) = CliTests.Run([.. args, "--out", straight, "--quiet"]);
            Assert.True(code == 0, err);

            // env --default-signal: a background process of a script would otherwise ignore SIGINT.
            using var job = Cluster.Captured.Start(Cluster.MpiRun.Program(
                ["env", "--default-signal=INT", "dotnet", Path.Combine(AppContext.BaseDirectory, "certify.dll"), .. args, "--out", stopped]));
            var process = job.Process;
            var journal = Path.Combine(stopped, "journal", "1.csv");
            var clock = Stopwatch.StartNew();
            // 20 deeppoly images in the journal (or, from a build without one, the first deeppoly progress line).
            bool Started() => job.Err is var e && (e.Contains("\ndeeppoly: ") || e.StartsWith("deeppoly: "));
            while (!(File.Exists(journal) && File.ReadLines(journal).Count() > 20) && !Started() && !process.HasExited && clock.Elapsed.TotalSeconds < 120) Thread.Sleep(50);
            Assert.False(process.HasExited, $"the run ended before the signal: {job.Err}");
            using (var kill = Process.Start("kill", ["-" + signal, process.Id.ToString()])) kill.WaitForExit();
            Assert.True(process.WaitForExit(120_000));
            process.WaitForExit();                              // the output handlers have run
            Assert.True(process.ExitCode == exitCode, $"exit {process.ExitCode}: {job.Err}");
            Assert.True(File.Exists(journal), "no journal: the finished images are lost");
            Assert.Contains("continue with the same command and --out", job.Out);
            Assert.Contains("\"status\": \"stopped\"", File.ReadAllText(Path.Combine(stopped, "results.json")));
            int kept = File.ReadLines(journal).Count() - 1;
            Assert.InRange(kept, 20, 599);

            (code, var output, err) = CliTests.Run([.. args, "--out", stopped]);
            Assert.True(code == 0, err);
            Assert.Contains($"deeppoly {kept}/600 images done", err);
            AssertSameResults(straight, stopped);
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>A slow batch (a 5,000-layer DeepPoly, the LP) is never silent: on a clock of the test's own, nothing in the
    /// first 2 s, then a line whenever 5 s passed without one, saying how long the batch has been running; a batch's end is
    /// a line too, and a stopped domain is silent. (Deterministic: the same on any machine, unlike a timed real run.)</summary>
    [Fact]
    public void A_slow_batch_is_never_silent_for_long()
    {
        var t = TimeSpan.Zero;
        var err = new StringWriter();
        var progress = new Certify.Cli.Commands.VerifyProgress(err, quiet: false, () => t);
        List<string> Lines() => err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        progress.Start("deeppoly", 0, 40, 20);
        for (int s = 1; s <= 4; s++) { t = TimeSpan.FromSeconds(s); progress.Beat(); }
        Assert.Empty(Lines());                                                            // quiet while it may be quick
        var beats = new List<int>();
        for (int s = 5; s <= 30; s++)
        {
            t = TimeSpan.FromSeconds(s);
            int before = Lines().Count;
            progress.Beat();
            if (Lines().Count > before) beats.Add(s);
        }
        Assert.Equal([5, 10, 15, 20, 25, 30], beats);                                    // one line per 5 s of silence
        Assert.Equal("deeppoly: 0/40 images, ETA after the first batch (batch 1/2 running for 30 s)", Lines()[^1]);
        t = TimeSpan.FromSeconds(40);
        progress.BatchDone(20);
        Assert.Equal("deeppoly: 20/40 images, 0.50 img/s, ETA 00:00:40", Lines()[^1]);
        progress.Stop();
        int count = Lines().Count;
        t = TimeSpan.FromSeconds(60);
        progress.Beat();
        Assert.Equal(count, Lines().Count);
        var quiet = new StringWriter();
        var silent = new Certify.Cli.Commands.VerifyProgress(quiet, quiet: true, () => t);
        silent.Start("deeppoly", 0, 40, 20);
        t = TimeSpan.FromSeconds(100);
        silent.Beat();
        Assert.Equal("", quiet.ToString());
    }

}
