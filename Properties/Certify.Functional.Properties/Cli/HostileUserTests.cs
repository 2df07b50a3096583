using System.Text.Json;
using Certify.Cli;

namespace Certify.Functional.Properties.Cli;

/// <summary>
/// Issue 15, "tried as a hostile new user would": one test per failure it lists for training runs, checkpoints and input,
/// black-box through the command line (arguments and files only), so that the same file also runs against the code
/// before the fix (aac6ff5), where each of them failed. scripts/hostile-cli.sh tries the same cases on the built CLI,
/// plus those that need another process (SIGTERM, a full disk, default folders).
/// </summary>
public sealed class HostileUserTests : TorchTest
{
    static readonly string[] Tiny = ["--epochs", "2", "--train-limit", "200", "--test-limit", "20", "--pgd-steps", "0", "--quiet"];

    static (int Code, string Out, string Err) Train(string dir, params string[] extra) => CliTests.Run(["train", .. Tiny, "--out", dir, .. extra]);

    static Dictionary<string, string> Hashes(string dir) => Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
        .ToDictionary(f => Path.GetRelativePath(dir, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));

    static string OneLine(string err) => Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    // ---- data loss ----

    [Fact]
    public void Resuming_a_moved_run_writes_into_its_new_folder_and_leaves_the_old_path_alone()
    {
        var root = TempDir();
        try
        {
            string old = Path.Combine(root, "old"), moved = Path.Combine(root, "moved");
            Assert.Equal(0, Train(old).Code);
            Directory.Move(old, moved);
            File.Delete(Path.Combine(moved, "model.pt"));
            File.Delete(Path.Combine(moved, "results.json"));
            Assert.Equal(0, Train(old, "--seed", "7").Code);                 // a newer run at the old path
            var newer = Hashes(old);
            var (code, _, err) = CliTests.Run("train", "--resume", moved, "--quiet");
            Assert.True(code == 0, err);
            Assert.True(File.Exists(Path.Combine(moved, "model.pt")), "the resumed run has no model.pt in its folder");
            Assert.True(File.Exists(Path.Combine(moved, "results.json")), "the resumed run has no results.json in its folder");
            Assert.Equal(newer, Hashes(old));
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void Training_into_a_folder_with_a_run_continues_the_same_run_and_refuses_another()
    {
        var dir = TempDir();
        try
        {
            Assert.Equal(0, Train(dir).Code);
            var before = Hashes(dir);
            var (same, _, sameErr) = Train(dir);                              // the same command again: nothing to do
            Assert.True(same == 0, sameErr);
            Assert.Contains("nothing to do", sameErr);
            Assert.Equal(before, Hashes(dir));
            var (other, _, otherErr) = Train(dir, "--lr", "0.01");          // another configuration: refused
            Assert.Equal(CliApp.BadInput, other);
            var line = OneLine(otherErr);
            Assert.StartsWith("error CF2031: ", line);
            Assert.Matches(@"learningRate: [0-9.e-]+ → 0\.01", line);
            Assert.Contains("--force", line);
            Assert.Equal(before, Hashes(dir));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_damaged_last_checkpoint_loses_one_interval_not_the_run()
    {
        var dir = TempDir();
        try
        {
            Assert.Equal(0, Train(dir).Code);
            var last = Path.Combine(dir, "checkpoints", "last.ckpt");
            Assert.True(File.Exists(Path.Combine(dir, "checkpoints", "last.prev.ckpt")), "no previous checkpoint kept");
            var bytes = File.ReadAllBytes(last);
            bytes[bytes.Length / 2] ^= 0xFF;
            File.WriteAllBytes(last, bytes);
            var (code, _, err) = CliTests.Run("train", "--resume", dir, "--quiet");
            Assert.True(code == 0, err);
            Assert.Contains("last.prev.ckpt", err);
        }
        finally { Directory.Delete(dir, true); }
    }

    // ---- wrong results ----

    [Theory]
    [InlineData("train")]
    [InlineData("verify", "--model", "/nonexistent.pt")]
    [InlineData("attack", "--model", "/nonexistent.pt")]
    [InlineData("paradox", "--budget", "quick")]
    public void Eps_above_one_is_refused_by_every_command(string command, params string[] rest)
    {
        var (code, _, err) = CliTests.Run([command, "--eps", "2", .. rest, "--quiet"]);
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("[0, 1]", OneLine(err));
    }

    [Theory]
    [InlineData("payload")]
    [InlineData("seed")]
    public void A_changed_checkpoint_is_refused_instead_of_resuming_into_another_model(string change)
    {
        var dir = TempDir();
        try
        {
            Assert.Equal(0, CliTests.Run(["train", "--epochs", "1", "--train-limit", "200", "--test-limit", "20", "--pgd-steps", "0", "--quiet", "--out", dir]).Code);
            var last = Path.Combine(dir, "checkpoints", "last.ckpt");
            var bytes = File.ReadAllBytes(last);
            if (change == "payload") bytes[bytes.Length - 5000] ^= 1;
            else
            {
                var text = System.Text.Encoding.Latin1.GetString(bytes);
                int at = text.IndexOf("\"seed\": 0", StringComparison.Ordinal);
                Assert.True(at > 0, "no seed in the header");
                bytes[at + 8] = (byte)'5';
            }
            File.WriteAllBytes(last, bytes);
            var (code, _, err) = CliTests.Run("train", "--resume", dir, "--quiet");
            Assert.Equal(CliApp.BadInput, code);
            Assert.Contains("checksum", OneLine(err));
        }
        finally { Directory.Delete(dir, true); }
    }

    // ---- crashes ----

    static string Architecture(string dir, string layers, int outputs = 10)
    {
        var path = Path.Combine(dir, "arch.json");
        File.WriteAllText(path, $$"""{ "name": "X", "input": [1, 28, 28], "layers": {{layers.Replace("OUT", outputs.ToString())}} }""");
        return path;
    }

    [Theory]
    [InlineData("""[{"type":"flatten"},{"type":"dense","out":20},{"type":"relu"},{"type":"dense","out":5}]""", "CF1008")]
    [InlineData("[]", "CF1001")]
    [InlineData("""[{"type":"flatten"},{"type":"dense","out":2000000000},{"type":"relu"},{"type":"dense","out":10}]""", "CF1009")]
    public void A_network_that_cannot_work_is_a_named_error_before_any_work(string layers, string code)
    {
        var dir = TempDir();
        try
        {
            var (exit, _, err) = CliTests.Run(["train", "--arch", Architecture(dir, layers), .. Tiny, "--out", Path.Combine(dir, "run")]);
            Assert.Equal(CliApp.BadInput, exit);
            Assert.StartsWith($"error {code}: ", OneLine(err));
            Assert.False(File.Exists(Path.Combine(dir, "run", "results.json")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Labels_outside_the_classes_are_a_named_error()
    {
        var dir = TempDir();
        try
        {
            foreach (var (split, n) in new[] { ("train", 64), ("t10k", 16) })
            {
                File.WriteAllBytes(Path.Combine(dir, $"{split}-images-idx3-ubyte"), [.. BigEndian(0x803, n, 28, 28), .. new byte[n * 784]]);
                File.WriteAllBytes(Path.Combine(dir, $"{split}-labels-idx1-ubyte"), [.. BigEndian(0x801, n), .. Enumerable.Range(0, n).Select(i => (byte)(i == n - 1 ? 12 : i % 10))]);
            }
            var (code, _, err) = CliTests.Run("train", "--data-dir", dir, "--epochs", "1", "--pgd-steps", "0", "--quiet", "--out", Path.Combine(dir, "run"));
            Assert.Equal(CliApp.BadInput, code);
            var line = OneLine(err);
            Assert.StartsWith("error CF2006: ", line);
            Assert.Contains("label 12", line);
        }
        finally { Directory.Delete(dir, true); }
    }

    static byte[] BigEndian(params int[] values) => values.SelectMany(v => new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v }).ToArray();

    // ---- messages ----

    [Theory]
    [InlineData("empty", "is empty")]
    [InlineData("random", "is not a PyTorch state_dict file")]
    public void A_model_file_that_is_not_a_state_dict_is_called_what_it_is(string kind, string expected)
    {
        var dir = TempDir();
        try
        {
            var model = Path.Combine(dir, "m.pt");
            File.WriteAllBytes(model, kind == "empty" ? [] : [.. "XXXX"u8, .. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919))]);
            var (code, _, err) = CliTests.Run("eval", "--net", "FC-SMALL", "--model", model, "--quiet");
            Assert.Equal(CliApp.BadInput, code);
            var line = OneLine(err);
            Assert.Contains(expected, line);
            Assert.DoesNotContain("legacy", line);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("train")]
    [InlineData("verify", "--net", "FC-SMALL", "--model", "/nonexistent.pt")]
    [InlineData("eval", "--net", "FC-SMALL", "--model", "/nonexistent.pt")]
    public void An_unknown_device_is_a_named_error(string command, params string[] rest)
    {
        var (code, _, err) = CliTests.Run([command, "--device", "tpu", .. rest, "--quiet"]);
        Assert.Equal(CliApp.BadInput, code);
        Assert.StartsWith("error CF1010: Unknown device 'tpu'", OneLine(err));
    }

    [Fact]
    public void Paradox_with_an_unknown_network_exits_like_verify()
    {
        var dir = TempDir();
        try
        {
            var (code, _, err) = CliTests.Run("paradox", "--net", "FOO", "--budget", "quick", "--out", dir, "--quiet");
            Assert.Equal(CliApp.BadInput, code);
            Assert.StartsWith("error CF1004: Unknown network 'FOO'", OneLine(err));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void More_threads_than_cores_are_capped_with_a_note()
    {
        var dir = TempDir();
        try
        {
            var (code, output, err) = CliTests.Run("train", "--threads", "1000", "--epochs", "1", "--train-limit", "100", "--test-limit", "10",
                "--pgd-steps", "0", "--out", dir, "--json");
            Assert.True(code == 0, err);
            Assert.Contains($"--threads 1000 is more than this machine's {Environment.ProcessorCount} core(s)", err);
            using var json = JsonDocument.Parse(output);
            Assert.Equal(Environment.ProcessorCount, json.RootElement.GetProperty("config").GetProperty("threads").GetInt32());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void An_unwritable_output_folder_is_found_before_any_work()
    {
        var dir = TempDir();
        try
        {
            var file = Path.Combine(dir, "file");
            File.WriteAllText(file, "x");
            var (code, output, err) = CliTests.Run("train", "--epochs", "1", "--train-limit", "100", "--test-limit", "10", "--pgd-steps", "0",
                "--out", Path.Combine(file, "run"));
            Assert.Equal(CliApp.BadInput, code);
            Assert.StartsWith("error CF2030: ", OneLine(err));                // no training header, no progress: nothing ran
            Assert.Equal("", output);
        }
        finally { Directory.Delete(dir, true); }
    }
}
