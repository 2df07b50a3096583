using Certify.Cli;
using Certify.Functional.Data;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Properties.Onnx;
using Certify.Functional.Samples;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Cli;

/// <summary><c>certify export</c> and <c>train --export-onnx</c>: issue 16's acceptance (FC-SMALL trained for one epoch →
/// ONNX → ONNX Runtime gives our logits on real test images) and unwritable targets (one line, exit 2, nothing written).</summary>
public sealed class ExportCliTests : TorchTest
{
    static string OneLine(string err) => Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    static T Ok<T>(LanguageExt.Fin<T> result) => result.Match(v => v, e => throw new Xunit.Sdk.XunitException(e.Message));

    [Fact]
    public void Fc_small_trained_one_epoch_exports_and_onnx_runtime_gives_our_logits_on_test_images()
    {
        var dir = TempDir();
        try
        {
            var run = Path.Combine(dir, "run");
            var (code, output, err) = CliTests.Run("train", "--net", "FC-SMALL", "--epochs", "1", "--train-limit", "500", "--test-limit", "20",
                "--pgd-steps", "0", "--out", run, "--export-onnx", "--quiet");
            Assert.True(code == 0, err);
            var onnx = Path.Combine(run, "model.onnx");
            Assert.Contains($"onnx: {Path.GetFullPath(onnx)} (FC-SMALL, 89,610 parameters: input [N, 1, 28, 28] → logits [N, 10], opset 13, ", output);

            // Our forward pass: the catalog's (generated) FC-SMALL with the run's final weights, on the first 100 test images.
            using var scope = NewDisposeScope();
            var test = Ok(DatasetCatalog.Load("mnist", null, Split.Test));
            using var net = Ok(NetworkCatalog.Find("FC-SMALL", test.Shape)).Create();
            Ok(StateDict.Load(net, Path.Combine(run, "model.pt")));
            var (x, _) = test.Batch([.. Enumerable.Range(0, 100)]);
            using var _ = no_grad();
            var ours = net.forward(x);
            var theirs = OnnxExportOracle.Run(File.ReadAllBytes(onnx), x);
            OnnxExportOracle.AssertAgrees(ours, theirs, "FC-SMALL after one epoch");
            // The weights moved away from the initialization (the run really trained), and the test can fail: another
            // network's logits are far outside the tolerance.
            Assert.True(ours.argmax(1).eq(test.Batch([.. Enumerable.Range(0, 100)]).Y).sum().item<long>() > 30, "one epoch should beat chance");

            // `certify export` of the run's model.pt writes a model that computes the same logits, bit for bit.
            var exported = Path.Combine(dir, "exported", "fc-small.onnx");
            (code, output, err) = CliTests.Run("export", "--net", "FC-SMALL", "--model", Path.Combine(run, "model.pt"), "--onnx", exported, "--quiet");
            Assert.True(code == 0, err);
            Assert.StartsWith($"onnx: {Path.GetFullPath(exported)} (FC-SMALL, ", output);
            Assert.Equal(theirs.Values, OnnxExportOracle.Run(File.ReadAllBytes(exported), x).Values);
        }
        finally { Directory.Delete(dir, true); }
    }

    // The exported file is a model the other commands take back: `verify --model x.onnx` needs no --net and certifies what
    // the run's model.pt certifies; `train --init-from x.onnx` fine-tunes it (the file's architecture, no --net).
    [Fact]
    public void An_exported_network_comes_back_through_verify_and_train_init_from()
    {
        var dir = TempDir();
        try
        {
            var run = Path.Combine(dir, "run");
            var (code, _, err) = CliTests.Run("train", "--net", "FC-SMALL", "--epochs", "1", "--train-limit", "300", "--test-limit", "20",
                "--pgd-steps", "0", "--out", run, "--export-onnx", "--quiet");
            Assert.True(code == 0, err);
            string onnx = Path.Combine(run, "model.onnx");
            var fromPt = CliTests.Run("verify", "--net", "FC-SMALL", "--model", Path.Combine(run, "model.pt"), "--eps", "0.01", "--domains", "box,crown",
                "--limit", "30", "--keep-normalization", "--out", Path.Combine(dir, "v1"), "--quiet");
            var fromOnnx = CliTests.Run("verify", "--model", onnx, "--eps", "0.01", "--domains", "box,crown", "--limit", "30", "--out", Path.Combine(dir, "v2"), "--quiet");
            Assert.True(fromPt.Code == 0, fromPt.Err);
            Assert.True(fromOnnx.Code == 0, fromOnnx.Err);
            Assert.Equal(File.ReadAllText(Path.Combine(dir, "v1", "per_image.csv")), File.ReadAllText(Path.Combine(dir, "v2", "per_image.csv")));
            (code, _, err) = CliTests.Run("train", "--init-from", onnx, "--epochs", "1", "--train-limit", "100", "--test-limit", "20",
                "--pgd-steps", "0", "--out", Path.Combine(dir, "tuned"), "--quiet");
            Assert.True(code == 0, err);
            Assert.True(File.Exists(Path.Combine(dir, "tuned", "model.pt")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Without_export_onnx_a_run_writes_no_onnx_file()
    {
        var dir = TempDir();
        try
        {
            var (code, output, err) = CliTests.Run("train", "--epochs", "1", "--train-limit", "100", "--test-limit", "10", "--pgd-steps", "0", "--out", dir, "--quiet");
            Assert.True(code == 0, err);
            Assert.DoesNotContain("onnx", output);
            Assert.Empty(Directory.GetFiles(dir, "*.onnx", SearchOption.AllDirectories));
        }
        finally { Directory.Delete(dir, true); }
    }

    [SharedFact]
    public void The_papers_released_conv_network_exports_and_onnx_runtime_gives_our_logits()
    {
        var dir = TempDir();
        try
        {
            var onnx = Path.Combine(dir, "conv.onnx");
            var model = SharedFiles.PretrainedConv("mnist_CONV_box");
            var (code, _, err) = CliTests.Run("export", "--net", "CONV", "--model", model, "--onnx", onnx, "--quiet");
            Assert.True(code == 0, err);
            using var scope = NewDisposeScope();
            var test = Ok(DatasetCatalog.Load("mnist", null, Split.Test));
            using var net = Ok(NetworkCatalog.Find("CONV", test.Shape)).Create();
            Ok(StateDict.Load(net, model));
            NetworkResolution.UseDatasetNormalization(net, test);
            var (x, _) = test.Batch([.. Enumerable.Range(0, 100)]);
            using var _ = no_grad();
            OnnxExportOracle.AssertAgrees(net.forward(x), OnnxExportOracle.Run(File.ReadAllBytes(onnx), x), "released mnist_CONV_box");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Export_to_an_unwritable_path_is_one_line_exit_2_and_writes_nothing()
    {
        var dir = TempDir();
        try
        {
            var model = Path.Combine(dir, "model.pt");
            using (var net = Ok(NetworkCatalog.Find("FC-SMALL", Shape.Of(1, 28, 28))).Create()) Ok(StateDict.Save(net, model));
            var file = Path.Combine(dir, "a-file");
            File.WriteAllText(file, "not a folder");

            var (code, output, err) = CliTests.Run("export", "--net", "FC-SMALL", "--model", model, "--onnx", Path.Combine(file, "out.onnx"));
            Assert.Equal(CliApp.BadInput, code);
            Assert.Equal("", output);
            var line = OneLine(err);
            Assert.StartsWith($"error CF2030: cannot write to output folder '{file}': '{file}' is a file, not a folder. Choose another --onnx path.", line);

            // A model that does not exist: one line, exit 2, and the new folder the check created is removed again.
            (code, _, err) = CliTests.Run("export", "--net", "FC-SMALL", "--model", Path.Combine(dir, "missing.pt"), "--onnx", Path.Combine(dir, "new", "out.onnx"));
            Assert.Equal(CliApp.BadInput, code);
            Assert.StartsWith("error CF2001: Checkpoint '", OneLine(err));
            Assert.False(Directory.Exists(Path.Combine(dir, "new")));

            // A folder is not a file name.
            (code, _, err) = CliTests.Run("export", "--net", "FC-SMALL", "--model", model, "--onnx", dir);
            Assert.Equal(CliApp.BadInput, code);
            Assert.StartsWith($"error CF2030: cannot write the ONNX file '{dir}': it is a folder.", OneLine(err));

            // train --export-onnx checks its target before training: one line, exit 2, no run folder left.
            var run = Path.Combine(dir, "run");
            (code, _, err) = CliTests.Run("train", "--net", "FC-SMALL", "--epochs", "1", "--train-limit", "100", "--test-limit", "10", "--pgd-steps", "0",
                "--out", run, "--export-onnx", Path.Combine(file, "x.onnx"), "--quiet");
            Assert.Equal(CliApp.BadInput, code);
            Assert.StartsWith("error CF2030: ", OneLine(err));
            Assert.DoesNotContain("   at ", err);
            Assert.False(Directory.Exists(run));

            Assert.Equal([file, model], Directory.GetFileSystemEntries(dir).Order(StringComparer.Ordinal));
        }
        finally { Directory.Delete(dir, true); }
    }
}
