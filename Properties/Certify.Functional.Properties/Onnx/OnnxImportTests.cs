using System.IO.Compression;
using Certify.Functional.Errors;
using Certify.Functional.Onnx;
using Certify.Functional.Properties.Cli;
using LanguageExt.Common;
using static Certify.Functional.Properties.Onnx.OnnxModels;

namespace Certify.Functional.Properties.Onnx;

/// <summary>ONNX models the test builds itself, one per supported form, each imported and checked against ONNX Runtime;
/// and the errors of what cannot be imported.</summary>
public class OnnxImportTests : TorchTest
{
    static ImportedNetwork Import(byte[] bytes, string name = "net.onnx") =>
        OnnxImport.Parse(bytes, name).Match(n => n, e => throw new Xunit.Sdk.XunitException(e.Message));

    static void MatchesOnnxRuntime(byte[] bytes, double low = -1, double high = 1, bool float64 = false)
    {
        var imported = Import(bytes);
        double worst = OnnxOracle.WorstRatio(bytes, imported, 8, low, high, seed: 7, float64);
        Assert.True(worst <= 1, $"the imported network differs from ONNX Runtime by {worst:G3} × the tolerance");
    }

    static string Layers(ImportedNetwork n) => string.Join(" | ", n.Description.Layers.Select(l => l.ToString()));

    static Error Failure(byte[] bytes, string name = "bad.onnx") =>
        OnnxImport.Parse(bytes, name).Match(_ => throw new Xunit.Sdk.XunitException("the import succeeded"), e => e);

    // Gemm with transB = 1 ([out, in], PyTorch's layout), alpha and beta; then transB = 0 ([in, out]) without a bias.
    static byte[] GemmNet(bool raw)
    {
        var rng = new Random(1);
        return Model([1, 4],
            [Node("Gemm", ["x", "w1", "b1"], "h", Attr("transB", 1L), Attr("alpha", 0.5f), Attr("beta", 2f)),
             Node("Relu", ["h"], "r"),
             Node("Gemm", ["r", "w2"], "y", Attr("transB", 0L))],
            [Tensor("w1", [3, 4], Values(rng, 12), raw), Tensor("b1", [3], Values(rng, 3), raw), Tensor("w2", [3, 2], Values(rng, 6), raw)],
            "y", [1, 2]);
    }

    [Fact]
    public void Gemm_with_transB_1_and_0_matches_onnx_runtime()
    {
        var imported = Import(GemmNet(raw: false));
        Assert.Equal("Dense 4→3 | ReLU 3→3 | Dense 3→2", Layers(imported));
        Assert.Equal([2L, 3], imported.Parameters["layers.2.weight"].shape);
        MatchesOnnxRuntime(GemmNet(raw: false));
    }

    [Fact]
    public void Raw_data_and_float_data_import_the_same_parameters()
    {
        var typed = Import(GemmNet(raw: false));
        var raw = Import(GemmNet(raw: true));
        Assert.Equal(typed.Parameters.Keys.Order(), raw.Parameters.Keys.Order());
        foreach (var (key, value) in typed.Parameters) Assert.True(Same(value, raw.Parameters[key]), key);
        MatchesOnnxRuntime(GemmNet(raw: true));
    }

    // MatMul + Add (weight [in, out]), Relu, a MatMul without an Add (zero bias), and a Mul and Sub right after it.
    static byte[] MatMulNet()
    {
        var rng = new Random(2);
        return Model([1, 5],
            [Node("MatMul", ["x", "w1"], "m1"), Node("Add", ["m1", "b1"], "h1"), Node("Relu", ["h1"], "r1"),
             Node("MatMul", ["r1", "w2"], "m2"), Node("Mul", ["m2", "s"], "m3"), Node("Sub", ["m3", "c"], "y")],
            [Tensor("w1", [5, 4], Values(rng, 20)), Tensor("b1", [4], Values(rng, 4)), Tensor("w2", [4, 3], Values(rng, 12)),
             Tensor("s", [3], [2f, -0.5f, 3f]), Tensor("c", [1], [0.25f])],
            "y", [1, 3]);
    }

    [Fact]
    public void MatMul_with_and_without_Add_matches_onnx_runtime()
    {
        var imported = Import(MatMulNet());
        Assert.Equal("Dense 5→4 | ReLU 4→4 | Dense 4→3", Layers(imported));
        Assert.Equal([4L, 5], imported.Parameters["layers.0.weight"].shape);
        MatchesOnnxRuntime(MatMulNet());
    }

    // Per-channel Sub and Div (normalisation), a padded strided Conv, Relu, Flatten, Gemm.
    static byte[] ConvNet()
    {
        var rng = new Random(3);
        return Model([1, 2, 6, 6],
            [Node("Sub", ["x", "mean"], "n1"), Node("Div", ["n1", "std"], "n2"),
             Node("Conv", ["n2", "w", "b"], "c", Attr("kernel_shape", [3L, 3]), Attr("pads", [1L, 1, 1, 1]), Attr("strides", [2L, 2]), Attr("dilations", [1L, 1])),
             Node("Relu", ["c"], "r"), Node("Flatten", ["r"], "f", Attr("axis", 1L)), Node("Gemm", ["f", "w2", "b2"], "y", Attr("transB", 1L))],
            [Tensor("mean", [1, 2, 1, 1], [0.4f, 0.6f]), Tensor("std", [2, 1, 1], [0.2f, 0.3f]), Tensor("w", [3, 2, 3, 3], Values(rng, 54)),
             Tensor("b", [3], Values(rng, 3)), Tensor("w2", [4, 27], Values(rng, 108)), Tensor("b2", [4], Values(rng, 4))],
            "y", [1, 4]);
    }

    [Fact]
    public void Conv_with_padding_and_per_channel_normalisation_matches_onnx_runtime()
    {
        var imported = Import(ConvNet());
        Assert.Equal("Normalize mean [0.4000000059604645, 0.6000000238418579] std [0.20000000298023224, 0.30000001192092896] | " +
                     "Conv2d 2×6×6→3×3×3 (k3 s2 p1) | ReLU 3×3×3→3×3×3 | Flatten 3×3×3→27 | Dense 27→4", Layers(imported));
        Assert.Equal([2L], imported.Parameters["layers.0.mean"].shape);
        MatchesOnnxRuntime(ConvNet(), 0, 1);
    }

    // float64 weights (typed and raw) in a float64 graph: imported as float32.
    static byte[] DoubleNet()
    {
        var rng = new Random(4);
        double[] D(int n) => Values(rng, n).Select(v => (double)v).ToArray();
        return Model([1, 3],
            [Node("Gemm", ["x", "w", "b"], "h", Attr("transB", 1L)), Node("Relu", ["h"], "y")],
            [Tensor64("w", [2, 3], D(6)), Tensor64("b", [2], D(2), raw: true)],
            "y", [1, 2], elemType: Float64);
    }

    [Fact]
    public void Float64_initializers_import_as_float32_and_match_onnx_runtime()
    {
        var imported = Import(DoubleNet());
        Assert.Equal(TorchSharp.torch.ScalarType.Float32, imported.Parameters["layers.0.weight"].dtype);
        MatchesOnnxRuntime(DoubleNet(), float64: true);
    }

    // An ACAS-Xu-like layout: input 1×1×1×6, per-element Sub and a scalar Mul, a no-op Transpose, a Constant shape for Reshape,
    // Identity, MatMul + Add; opset 9 with the initializers listed among the inputs (the old style).
    static byte[] FlatNet()
    {
        var rng = new Random(5);
        return Model([1, 1, 1, 6],
            [Node("Sub", ["x", "avg"], "s"), Node("Mul", ["s", "scale"], "m"), Node("Transpose", ["m"], "t", Attr("perm", [0L, 3, 1, 2])),
             Node("Constant", [], "shape", Attr("value", Ints("shape_value", 1, -1))), Node("Reshape", ["t", "shape"], "f"),
             Node("Identity", ["f"], "i"), Node("MatMul", ["i", "w"], "h"), Node("Add", ["h", "b"], "y")],
            [Tensor("avg", [1, 1, 1, 6], Values(rng, 6)), Tensor("scale", [], [4f]), Tensor("w", [6, 2], Values(rng, 12)), Tensor("b", [2], Values(rng, 2))],
            "y", [1, 2], opset: 9, initializersAsInputs: true);
    }

    [Fact]
    public void A_flat_network_behind_elementwise_ops_takes_a_flat_input_and_matches_onnx_runtime()
    {
        var imported = Import(FlatNet());
        Assert.Equal("6", imported.Description.Input.ToString());
        Assert.Equal([1L, 1, 1, 6], imported.InputShape);
        Assert.Equal("x", imported.InputName);
        Assert.Equal(2, imported.Description.Layers.Count);
        Assert.Equal([6L], imported.Parameters["layers.0.mean"].shape);
        MatchesOnnxRuntime(FlatNet(), -0.5, 0.5);
    }

    [Fact]
    public void A_gzip_model_imports_like_the_plain_one()
    {
        using var packed = new MemoryStream();
        using (var gz = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(GemmNet(false));
        var imported = Import(packed.ToArray(), "net.bin");   // told by the magic, not the name
        Assert.Equal(Layers(Import(GemmNet(false))), Layers(imported));
        Assert.Equal("net.bin", imported.Description.Name);
    }

    [Fact]
    public void A_flat_network_takes_an_image_of_as_many_values_behind_a_Flatten()
    {
        var imported = Import(GemmNet(false)).ForInput(Certify.Functional.Layers.Shape.Of(1, 2, 2), "net.onnx")
            .Match(n => n, e => throw new Xunit.Sdk.XunitException(e.Message));
        Assert.Equal("Flatten 1×2×2→4 | Dense 4→3 | ReLU 3→3 | Dense 3→2", Layers(imported));
        Assert.Equal(["layers.1.bias", "layers.1.weight", "layers.3.bias", "layers.3.weight"], imported.Parameters.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(ErrorCodes.ShapeMismatch, Import(GemmNet(false)).ForInput(Certify.Functional.Layers.Shape.Of(1, 28, 28), "net.onnx")
            .Match(_ => 0, e => e.Code));
    }

    // ---- errors ----

    [Fact]
    public void Truncated_bytes_are_unreadable_naming_the_file()
    {
        var bytes = ConvNet();
        var e = Failure(bytes[..(bytes.Length / 2)], "half.onnx");
        Assert.Equal(ErrorCodes.OnnxUnreadable, e.Code);
        Assert.Contains("'half.onnx'", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        using var packed = new MemoryStream();
        using (var gz = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(bytes);
        var gzip = Failure(packed.ToArray()[..(int)(packed.Length / 2)], "half.onnx.gz");
        Assert.Equal(ErrorCodes.OnnxUnreadable, gzip.Code);
        Assert.Contains("'half.onnx.gz'", gzip.Message);
    }

    [Fact]
    public void Random_bytes_are_unreadable()
    {
        var rng = new Random(11);
        for (int i = 0; i < 20; i++)
        {
            var bytes = new byte[rng.Next(1, 2000)];
            rng.NextBytes(bytes);
            var e = Failure(bytes, "noise.onnx");
            Assert.True(e.Code is ErrorCodes.OnnxUnreadable, $"case {i}: {e.Code} {e.Message}");
            Assert.Contains("'noise.onnx'", e.Message);
        }
        Assert.Equal(ErrorCodes.OnnxUnreadable, Failure([], "empty.onnx").Code);
    }

    [Theory]
    [InlineData("Sigmoid")]
    [InlineData("MaxPool")]
    public void An_unsupported_op_names_the_node_the_op_and_the_supported_list(string op)
    {
        var rng = new Random(6);
        var extra = op == "MaxPool" ? new[] { Attr("kernel_shape", [2L, 2]) } : [];
        var bytes = Model([1, 1, 4, 4],
            [Node("Conv", ["x", "w"], "c"), Node(op, ["c"], "p", extra), Node("Flatten", ["p"], "y")],
            [Tensor("w", [1, 1, 1, 1], Values(rng, 1))], "y", [1, 16]);
        var e = Failure(bytes);
        Assert.Equal(ErrorCodes.OnnxUnsupported, e.Code);
        Assert.StartsWith($"ONNX file 'bad.onnx', node 1 '{op.ToLowerInvariant()}_p' ({op}): the operator is not supported. Supported: Gemm, MatMul, Add, Sub, Mul, Div, Relu, Conv, Flatten, Reshape", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_dilated_Conv_is_an_unsupported_attribute_naming_the_node()
    {
        var rng = new Random(8);
        var bytes = Model([1, 1, 6, 6],
            [Node("Conv", ["x", "w"], "c", Attr("dilations", [2L, 2])), Node("Flatten", ["c"], "y")],
            [Tensor("w", [1, 1, 3, 3], Values(rng, 9))], "y", [1, 4]);
        var e = Failure(bytes);
        Assert.Equal(ErrorCodes.OnnxUnsupported, e.Code);
        Assert.Contains("node 0 'conv_c' (Conv): dilations [2, 2] are not supported (only 1)", e.Message);
        Assert.Contains("Supported: Gemm", e.Message);
    }

    [Fact]
    public void Per_pixel_normalisation_of_an_image_and_a_second_input_are_unsupported()
    {
        var rng = new Random(9);
        var perPixel = Model([1, 1, 2, 2],
            [Node("Sub", ["x", "m"], "s"), Node("Conv", ["s", "w"], "c"), Node("Flatten", ["c"], "y")],
            [Tensor("m", [1, 1, 2, 2], Values(rng, 4)), Tensor("w", [1, 1, 1, 1], Values(rng, 1))], "y", [1, 4]);
        var e = Failure(perPixel);
        Assert.Equal(ErrorCodes.OnnxUnsupported, e.Code);
        Assert.Contains("(Sub): the constant [1, 1, 2, 2] varies within a channel", e.Message);

        var branching = Model([1, 2], [Node("Relu", ["x"], "r"), Node("Add", ["r", "x"], "y")], [], "y", [1, 2]);
        Assert.Contains("(Add): input 'x' is used a second time", Failure(branching).Message);
    }

    [Fact]
    public void Eval_and_verify_take_an_onnx_model_without_net_and_refuse_a_different_net()
    {
        var dir = TempDir();
        try
        {
            var rng = new Random(12);
            var model = Path.Combine(dir, "linear.onnx");
            File.WriteAllBytes(model, Model([1, 784], [Node("Gemm", ["x", "w", "b"], "y", Attr("transB", 1L))],
                [Tensor("w", [10, 784], Values(rng, 7840)), Tensor("b", [10], Values(rng, 10))], "y", [1, 10]));
            var (code, output, err) = CliTests.Run("eval", "--model", model, "--limit", "5", "--out", Path.Combine(dir, "eval"), "--quiet");
            Assert.True(code == 0, err);
            Assert.Contains("clean: ", output + err);
            (code, _, err) = CliTests.Run("verify", "--model", model, "--limit", "3", "--eps", "0.001", "--out", Path.Combine(dir, "verify"), "--quiet");
            Assert.True(code == 0, err);

            (code, _, err) = CliTests.Run("eval", "--model", model, "--net", "FC-SMALL", "--limit", "5", "--out", Path.Combine(dir, "eval2"), "--quiet");
            Assert.Equal(2, code);
            Assert.StartsWith($"error CF{ErrorCodes.InvalidConfig}: --net FC-SMALL is not the network in the ONNX file '{model}'", err.Trim());

            var wide = Path.Combine(dir, "wide.onnx");
            File.WriteAllBytes(wide, Model([1, 784], [Node("Gemm", ["x", "w", "b"], "y", Attr("transB", 1L))],
                [Tensor("w", [7, 784], Values(rng, 7 * 784)), Tensor("b", [7], Values(rng, 7))], "y", [1, 7]));
            (code, _, err) = CliTests.Run("eval", "--model", wide, "--limit", "5", "--out", Path.Combine(dir, "eval3"), "--quiet");
            Assert.Equal(2, code);
            Assert.StartsWith($"error CF{ErrorCodes.ClassCountMismatch}: ", err.Trim());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Verify_with_a_truncated_or_unsupported_onnx_model_is_one_line_and_exit_2()
    {
        var dir = TempDir();
        try
        {
            var truncated = Path.Combine(dir, "half.onnx");
            var bytes = ConvNet();
            File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
            var (code, _, err) = CliTests.Run("verify", "--model", truncated, "--limit", "2", "--out", Path.Combine(dir, "out1"), "--quiet");
            Assert.Equal(2, code);
            Assert.Single(err.Trim().Split('\n'));
            Assert.StartsWith($"error CF{ErrorCodes.OnnxUnreadable}: ONNX file '{truncated}' cannot be read", err.Trim());

            var unsupported = Path.Combine(dir, "sigmoid.onnx");
            File.WriteAllBytes(unsupported, Model([1, 784], [Node("Sigmoid", ["x"], "y")], [], "y", [1, 784]));
            (code, _, err) = CliTests.Run("verify", "--model", unsupported, "--limit", "2", "--out", Path.Combine(dir, "out2"), "--quiet");
            Assert.Equal(2, code);
            Assert.Single(err.Trim().Split('\n'));
            Assert.StartsWith($"error CF{ErrorCodes.OnnxUnsupported}: ONNX file '{unsupported}', node 0 'sigmoid_y' (Sigmoid): the operator is not supported. Supported: ", err.Trim());
        }
        finally { Directory.Delete(dir, true); }
    }
}
