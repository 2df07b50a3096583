using System.Text.Json;
using Certify.Cli;

namespace Certify.Functional.Properties.Cli;

/// <summary><c>certify train</c> with presets, budgets and resumption; bad input ends with one readable line.</summary>
public class TrainCliTests : TorchTest
{
    static (int Code, string Out, string Err) Run(params string[] args) => CliTests.Run(args);

    [Fact]
    public void An_unknown_preset_is_one_line_listing_the_valid_names()
    {
        var (code, _, err) = Run("train", "--preset", "mnist-fc-magic", "--quiet");
        Assert.Equal(CliApp.BadInput, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error CF1003: Unknown preset 'mnist-fc-magic'. Known: ", line);
        Assert.Contains("mnist-fcsmall-box", line);
    }

    [Fact]
    public void Negative_eps_with_a_preset_is_one_line()
    {
        var (code, _, err) = Run("train", "--preset", "mnist-fcsmall-box", "--eps", "-0.1", "--quiet");
        Assert.Equal(CliApp.BadInput, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("ε (--eps) must be in [0, 1]", line);
    }

    [Fact]
    public void A_truncated_checkpoint_is_one_line_and_a_non_zero_exit()
    {
        var dir = TempDir();
        try
        {
            var (code, _, err) = Run("train", "--preset", "mnist-fcsmall-box", "--epochs", "1", "--train-limit", "200", "--test-limit", "20",
                "--pgd-steps", "0", "--out", dir, "--quiet");
            Assert.True(code == 0, err);
            var ckpt = Path.Combine(dir, "checkpoints", "last.ckpt");
            var bytes = File.ReadAllBytes(ckpt);
            File.WriteAllBytes(ckpt, bytes.AsSpan(0, bytes.Length / 2).ToArray());
            (code, _, err) = Run("train", "--resume", dir, "--quiet");
            Assert.Equal(CliApp.BadInput, code);
            var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("error CF2003: Checkpoint '", line);
            Assert.Contains("truncated", line);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Smoothing_flags_reach_the_config_and_sigma_is_logged_per_epoch()
    {
        var dir = TempDir();
        try
        {
            var (code, output, err) = Run("train", "--mode", "natural", "--epochs", "1", "--train-limit", "100", "--batch-size", "50", "--test-limit", "10",
                "--pgd-steps", "0", "--smoothing", "rgs", "--sigma", "0.02", "--samples", "2", "--sigma-end", "0.01", "--out", dir, "--json", "--quiet");
            Assert.True(code == 0, err);
            using var json = JsonDocument.Parse(output);
            var config = json.RootElement.GetProperty("config");
            Assert.Equal("rgs", config.GetProperty("smoothing").GetString());
            Assert.Equal(0.02, config.GetProperty("smoothingSigma").GetDouble());
            Assert.Equal(2, config.GetProperty("smoothingSamples").GetInt32());
            Assert.Equal(0.01, config.GetProperty("smoothingSigmaEnd").GetDouble());
            // Two steps, σ linear from 0.02 towards 0.01 over them: the last step (after one) has σ = 0.015.
            Assert.Equal(0.015, json.RootElement.GetProperty("epochs")[0].GetProperty("sigma").GetDouble(), 12);
            Assert.Contains("| σ |", File.ReadAllText(Path.Combine(dir, "summary.md")));

            (code, _, err) = Run("train", "--smoothing", "sgd", "--samples", "0", "--quiet");
            Assert.Equal(CliApp.BadInput, code);
            Assert.Contains("--smoothing", err);
            Assert.Contains("--samples", err);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Presets_lists_every_table_2_row_and_the_fcsmall_versions()
    {
        var (code, output, _) = Run("presets", "--json");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        var names = json.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        foreach (var data in new[] { "mnist", "fmnist" })
        foreach (var net in new[] { "fc", "conv" })
        foreach (var row in new[] { "box", "hbox", "crown-ibp-r", "zono", "deeppoly", "crown-ibp" })
            Assert.Contains($"{data}-{net}-{row}", names);
        Assert.Contains("mnist-fcsmall-deeppoly", names);
        Assert.Equal(30, names.Count);
    }

    /// <summary>PGD never breaks an image the run certified: train a small Box network, then compare per image.</summary>
    [Fact]
    public void Pgd_never_succeeds_on_an_image_the_trained_network_certifies()
    {
        var dir = TempDir();
        try
        {
            var (code, _, err) = Run("train", "--preset", "mnist-fcsmall-box", "--budget", "quick", "--eps", "0.1", "--epochs", "6", "--lr", "2e-3",
                "--train-limit", "2000", "--test-limit", "300", "--verify-domains", "box,crown-ibp", "--pgd-steps", "40", "--out", dir, "--quiet");
            Assert.True(code == 0, err);
            var rows = File.ReadAllLines(Path.Combine(dir, "per_image.csv"));
            Assert.Equal("img,label,pred,pgd,box,crown-ibp", rows[0]);
            int certified = 0;
            foreach (var row in rows.Skip(1))
            {
                var f = row.Split(',');
                bool pgdRobust = f[3] == "1";
                bool anyCertified = f[4] == "1" || f[5] == "1";
                if (anyCertified) { certified++; Assert.True(pgdRobust, $"image {f[0]} is certified but PGD broke it"); }
                if (pgdRobust) Assert.Equal(f[1], f[2]);                // robust implies correctly classified
            }
            Assert.True(certified > 50, $"only {certified}/300 certified: the test would not show anything");
        }
        finally { Directory.Delete(dir, true); }
    }
}
