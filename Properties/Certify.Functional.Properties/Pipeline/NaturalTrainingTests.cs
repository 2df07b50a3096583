using System.Text.Json;
using Certify.Cli;
using Certify.Functional.Networks;
using Certify.Functional.Samples;
using Certify.Functional.Layers;

namespace Certify.Functional.Properties.Pipeline;

public class NaturalTrainingTests : TorchTest
{
    static int Train(string outDir, long seed) => CliApp.Run(
        ["train", "--net", "FC-SMALL", "--epochs", "2", "--train-limit", "1000", "--test-limit", "500", "--seed", seed.ToString(), "--out", outDir, "--quiet"],
        new StringWriter(), new StringWriter());

    [Fact]
    public void A_run_writes_checkpoints_results_and_summary_and_is_reproducible()
    {
        var dir = TempDir();
        try
        {
            Assert.Equal(0, Train(Path.Combine(dir, "a"), 7));
            Assert.Equal(0, Train(Path.Combine(dir, "b"), 7));
            foreach (var file in new[] { "model.pt", "results.json", "summary.md", "architecture.json", "checkpoints/epoch-1.pt", "checkpoints/epoch-2.pt" })
                Assert.True(File.Exists(Path.Combine(dir, "a", file)), $"missing {file}");

            using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "a", "results.json")));
            Assert.Equal("completed", results.RootElement.GetProperty("status").GetString());
            Assert.Equal(2, results.RootElement.GetProperty("epochs").GetArrayLength());
            double accuracy = results.RootElement.GetProperty("final").GetProperty("testAccuracy").GetDouble();
            Assert.InRange(accuracy, 0.6, 1.0);   // 2 epochs on 1,000 images: far above chance (0.1)

            var entry = NetworkCatalog.Find("FC-SMALL", Shape.Of(1, 28, 28)).Match(e => e, e => throw new Xunit.Sdk.XunitException(e.Message));
            using var a = entry.Create();
            using var b = entry.Create();
            Assert.True(StateDict.Load(a, Path.Combine(dir, "a", "model.pt")).IsSucc);
            Assert.True(StateDict.Load(b, Path.Combine(dir, "b", "model.pt")).IsSucc);
            foreach (var (name, p) in a.named_parameters())
                Assert.True(TorchTest.Same(p, b.get_parameter(name)!), $"{name} differs between two runs with the same seed");
        }
        finally { Directory.Delete(dir, true); }
    }
}
