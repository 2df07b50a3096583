using Certify.Functional.Layers;
using Certify.Functional.Onnx;
using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Properties.Laws;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Runtime;
using FsCheck.Xunit;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Onnx;

/// <summary>The ONNX export against ONNX Runtime: every generated small network (Dense and Conv, with and without
/// Normalize; pinned seed) and hand-picked ones of every layer kind give the same logits as our forward pass, at any
/// batch size; the graph carries the documented names, opset and symbolic batch dimension.</summary>
[Collection(LawCollection.Name)]
[Properties(Arbitrary = [typeof(NetworkArbitraries)], MaxTest = 100, QuietOnSuccess = true, Replay = "(2718281828,3141592653)")]
public sealed class OnnxExportProperties : TorchTest
{
    /// <summary>Export → ONNX Runtime → the same logits as the interpreter's forward pass (1e-5·(1+|z|)), batch 16–24.</summary>
    [Property]
    public void Onnx_runtime_computes_our_logits(NetworkCase c)
    {
        using var scope = NewDisposeScope();
        using var net = c.CreateNetwork();
        var x = c.Inputs();
        using var _ = no_grad();
        var ours = net.forward(x);
        var bytes = OnnxExport.ToBytes(net.Description, net.state_dict());
        OnnxExportOracle.AssertAgrees(ours, OnnxExportOracle.Run(bytes, x), c.ToString());
    }
}

/// <summary>Hand-picked networks of every layer kind, the graph's structure, and failures.</summary>
public sealed class OnnxExportTests : TorchTest
{
    // 3×8×8 → Normalize per channel → Conv(4, k3, s2, p1) → ReLU → Conv(2, k2, s1, p0) → ReLU → Flatten → Dense(5) → ReLU → Dense(3).
    static NetworkDescription ConvNet() => NetworkDescription.Declared("conv-test", Shape.Of(3, 8, 8),
        new NormalizeDeclaration([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
        new Conv2dDeclaration(4, 3, 2, 1), new ReluDeclaration(), new Conv2dDeclaration(2, 2, 1, 0), new ReluDeclaration(),
        new FlattenDeclaration(), new DenseDeclaration(5), new ReluDeclaration(), new DenseDeclaration(3));

    // [6] → Normalize per element → Flatten (a no-op on flat inputs) → Dense(8) → ReLU → Dense(4).
    static NetworkDescription FlatNet() => NetworkDescription.Declared("flat-test", Shape.Of(6),
        new NormalizeDeclaration([0.1, 0.2, 0.3, -0.4, 0.5, 0.6], [0.5, 1.5, 0.25, 2.0, 0.75, 1.0]),
        new FlattenDeclaration(), new DenseDeclaration(8), new ReluDeclaration(), new DenseDeclaration(4));

    public static TheoryData<string> Networks => ["conv", "flat"];

    static NetworkDescription Named(string name) => name == "conv" ? ConvNet() : FlatNet();

    [Theory]
    [MemberData(nameof(Networks))]
    public void Every_layer_kind_round_trips_at_batch_sizes_1_3_and_7_in_one_session(string name)
    {
        using var scope = NewDisposeScope();
        using var net = new InterpretedNetwork(Named(name));
        using var _ = no_grad();
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(OnnxExport.ToBytes(net.Description, net.state_dict()), options);
        foreach (int batch in new[] { 1, 3, 7 })
        {
            var x = rand(net.Description.Input.Batched(batch)).mul(2).sub(0.5);     // also outside [0, 1]: the graph is not clipped
            var ours = net.forward(x);
            Assert.Equal(batch, ours.shape[0]);
            OnnxExportOracle.AssertAgrees(ours, OnnxExportOracle.Run(session, x), $"{name} at batch {batch}");
        }
    }

    [Fact]
    public void The_graph_has_the_documented_names_opset_and_symbolic_batch_dimension()
    {
        using var net = new InterpretedNetwork(ConvNet());
        var model = global::Onnx.ModelProto.Parser.ParseFrom(OnnxExport.ToBytes(net.Description, net.state_dict(), "a note"));
        Assert.Equal(7, model.IrVersion);
        Assert.Equal(13, Assert.Single(model.OpsetImport).Version);
        Assert.Equal("a note", model.DocString);
        var input = Assert.Single(model.Graph.Input);
        Assert.Equal("input", input.Name);
        Assert.Equal(["N", "3", "8", "8"], input.Type.TensorType.Shape.Dim.Select(d => d.DimParam != "" ? d.DimParam : d.DimValue.ToString()));
        var output = Assert.Single(model.Graph.Output);
        Assert.Equal("logits", output.Name);
        Assert.Equal(["N", "3"], output.Type.TensorType.Shape.Dim.Select(d => d.DimParam != "" ? d.DimParam : d.DimValue.ToString()));
        Assert.Equal(["Sub", "Div", "Conv", "Relu", "Conv", "Relu", "Flatten", "Gemm", "Relu", "Gemm"], model.Graph.Node.Select(n => n.OpType));
        // The initializers are the state dict's tensors under its names (Normalize's as [C, 1, 1] for broadcasting).
        Assert.Equal(net.state_dict().Keys.Order(StringComparer.Ordinal), model.Graph.Initializer.Select(i => i.Name).Order(StringComparer.Ordinal));
        Assert.Equal([3L, 1, 1], model.Graph.Initializer.Single(i => i.Name == "layers.0.mean").Dims);
        Assert.Equal([4L, 3, 3, 3], model.Graph.Initializer.Single(i => i.Name == "layers.1.weight").Dims);
        var conv = model.Graph.Node.First(n => n.OpType == "Conv");
        Assert.Equal([1L, 1, 1, 1], conv.Attribute.Single(a => a.Name == "pads").Ints);
        Assert.Equal([2L, 2], conv.Attribute.Single(a => a.Name == "strides").Ints);
    }

    [Fact]
    public void Normalize_uses_the_networks_constants_when_they_differ_from_the_declaration()
    {
        using var scope = NewDisposeScope();
        using var net = new InterpretedNetwork(ConvNet());
        net.Normalizations.Single().SetConstants([0.9, -0.3, 0.0], [3.0, 0.1, 0.7]);
        using var _ = no_grad();
        var x = rand(net.Description.Input.Batched(4));
        OnnxExportOracle.AssertAgrees(net.forward(x), OnnxExportOracle.Run(OnnxExport.ToBytes(net.Description, net.state_dict()), x), "changed constants");
        // Without the buffers, the description's constants are used: the logits change (the test can tell the two apart).
        var declaredOnly = net.state_dict().Where(p => !p.Key.StartsWith("layers.0.", StringComparison.Ordinal)).ToDictionary();
        var other = OnnxExportOracle.Run(OnnxExport.ToBytes(net.Description, declaredOnly), x);
        Assert.NotEqual(net.forward(x).data<float>().ToArray(), other.Values);
    }

    [Fact]
    public void A_missing_or_misshapen_parameter_is_an_argument_exception_naming_the_key()
    {
        using var net = new InterpretedNetwork(FlatNet());
        var missing = net.state_dict().Where(p => p.Key != "layers.4.bias").ToDictionary();
        Assert.Contains("'layers.4.bias'", Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(net.Description, missing)).Message);
        using var wrong = zeros(3, 6);
        var misshapen = net.state_dict().ToDictionary(p => p.Key, p => p.Key == "layers.2.weight" ? wrong : p.Value);
        Assert.Contains("'layers.2.weight' has shape [3, 6], the layer needs [8, 6]", Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(net.Description, misshapen)).Message);
    }

    [Fact]
    public void Write_to_an_unwritable_path_throws_and_leaves_nothing_behind()
    {
        var dir = TempDir();
        try
        {
            var file = Path.Combine(dir, "a-file");
            File.WriteAllText(file, "not a folder");
            using var net = new InterpretedNetwork(FlatNet());
            Assert.Throws<OutputWriteException>(() => OnnxExport.Write(net, Path.Combine(file, "model.onnx")));
            Assert.Equal([file], Directory.GetFileSystemEntries(dir));
            // And a written file reads back as the bytes ToBytes gives.
            var target = Path.Combine(dir, "sub", "model.onnx");
            OnnxExport.Write(net, target);
            Assert.Equal(OnnxExport.ToBytes(net.Description, net.state_dict()), File.ReadAllBytes(target));
        }
        finally { Directory.Delete(dir, true); }
    }
}
