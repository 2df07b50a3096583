using System.Reflection;
using System.Runtime.InteropServices;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Runtime;
using Google.Protobuf;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Onnx;

/// <summary>
/// The project's networks as ONNX models (opset <see cref="Opset"/>, IR version <see cref="IrVersion"/>, float32), so
/// any ONNX runtime or verifier reads what this project trains. One node (or two) per layer:
/// <list type="bullet">
/// <item>Normalize → <c>Sub</c> then <c>Div</c> by per-channel constants shaped [C, 1, 1] (image inputs) or [N] (flat).</item>
/// <item>Flatten → <c>Flatten(axis = 1)</c>; Dense → <c>Gemm(transB = 1)</c>; ReLU → <c>Relu</c>.</item>
/// <item>Conv2d → <c>Conv(kernel_shape, strides, pads)</c> with its bias.</item>
/// </list>
/// The graph's input is <c>input</c> [N, …input shape] with a symbolic batch dimension <c>N</c>; its output is
/// <c>logits</c> [N, …output shape]. Initializers carry the state-dict names (<c>layers.{i}.weight|bias|mean|sigma</c>).
/// </summary>
public static class OnnxExport
{
    /// <summary>The ONNX operator set the exported graphs use.</summary>
    public const int Opset = 13;
    /// <summary>The IR version written (the one that goes with opset 13; ONNX Runtime reads it).</summary>
    public const int IrVersion = 7;
    /// <summary>Name of the graph's input.</summary>
    public const string InputName = "input";
    /// <summary>Name of the graph's output.</summary>
    public const string OutputName = "logits";
    /// <summary>Name of the symbolic batch dimension of the input and output.</summary>
    public const string BatchDimension = "N";

    /// <summary>The serialized ONNX model of <paramref name="description"/> with the tensors of
    /// <paramref name="parameters"/> (a state dict: <c>layers.{i}.weight</c> [out, in] or [out, in, k, k] and
    /// <c>layers.{i}.bias</c> [out] of every Dense and Conv2d layer; Normalize layers use <c>layers.{i}.mean|sigma</c>
    /// [C] when present and the description's constants otherwise). Tensors may be on any device and of any floating
    /// type; they are read, never modified or disposed. <paramref name="producerNote"/> becomes the model's doc string.
    /// Throws <see cref="ArgumentException"/> naming the key when a parameter is missing or has the wrong shape.</summary>
    public static byte[] ToBytes(NetworkDescription description, IReadOnlyDictionary<string, Tensor> parameters, string? producerNote = null)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(parameters);
        using var scope = NewDisposeScope();
        var graph = new GraphProto { Name = description.Name };
        graph.Input.Add(Value(InputName, description.Input));
        string x = InputName;
        foreach (var layer in description.Layers)
        {
            string output = layer.Index == description.Layers.Count - 1 ? OutputName : $"{layer.Prefix}.output";
            AddLayer(graph, layer, parameters, x, output);
            x = output;
        }
        if (description.Layers.Count == 0)
            graph.Node.Add(Node("Identity", "identity", [InputName], OutputName));
        graph.Output.Add(Value(OutputName, description.Output));

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Certify.Functional",
            ProducerVersion = ProducerVersion(),
            DocString = producerNote ?? "",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model.ToByteArray();
    }

    /// <summary>Writes <paramref name="net"/> (its description and current parameters and buffers) to
    /// <paramref name="path"/> as ONNX, atomically (<see cref="AtomicFile"/>): a failed write leaves the previous file,
    /// or none, and throws <see cref="OutputWriteException"/>. The network is not modified.</summary>
    public static void Write(NetworkModule net, string path, string? producerNote = null)
    {
        ArgumentNullException.ThrowIfNull(net);
        var state = net.state_dict();
        AtomicFile.WriteAllBytes(path, ToBytes(net.Description, state, producerNote));
    }

    static void AddLayer(GraphProto graph, ResolvedLayer layer, IReadOnlyDictionary<string, Tensor> parameters, string x, string output)
    {
        string prefix = layer.Prefix;
        switch (layer.Declaration)
        {
            case NormalizeDeclaration n:
                // [C, 1, 1] broadcasts over [N, C, H, W] (numpy rules, aligned right); [N] or [1] over [N, features].
                long count = n.Mean.Count;
                long[] dims = layer.Input.IsImage ? [count, 1, 1] : [count];
                var mean = Constants(parameters, $"{prefix}.mean", n.Mean, count);
                var sigma = Constants(parameters, $"{prefix}.sigma", n.Std, count);
                graph.Initializer.Add(Initializer($"{prefix}.mean", dims, mean));
                graph.Initializer.Add(Initializer($"{prefix}.sigma", dims, sigma));
                graph.Node.Add(Node("Sub", $"{prefix}.sub", [x, $"{prefix}.mean"], $"{prefix}.centered"));
                graph.Node.Add(Node("Div", $"{prefix}.div", [$"{prefix}.centered", $"{prefix}.sigma"], output));
                break;
            case FlattenDeclaration:
                graph.Node.Add(Node("Flatten", prefix, [x], output, Int("axis", 1)));
                break;
            case ReluDeclaration:
                graph.Node.Add(Node("Relu", prefix, [x], output));
                break;
            case DenseDeclaration d:
                AddWeights(graph, parameters, prefix, [d.OutFeatures, layer.Input.Size], d.OutFeatures);
                graph.Node.Add(Node("Gemm", prefix, [x, $"{prefix}.weight", $"{prefix}.bias"], output, Int("transB", 1)));
                break;
            case Conv2dDeclaration c:
                AddWeights(graph, parameters, prefix, [c.OutChannels, layer.Input.Dims[0], c.Kernel, c.Kernel], c.OutChannels);
                graph.Node.Add(Node("Conv", prefix, [x, $"{prefix}.weight", $"{prefix}.bias"], output,
                    Ints("kernel_shape", c.Kernel, c.Kernel), Ints("strides", c.Stride, c.Stride),
                    Ints("pads", c.Padding, c.Padding, c.Padding, c.Padding), Ints("dilations", 1, 1), Int("group", 1)));
                break;
            default:
                throw new ArgumentException($"Layer {layer.Index} ({layer.Declaration.Kind}) has no ONNX export.", nameof(layer));
        }
    }

    static void AddWeights(GraphProto graph, IReadOnlyDictionary<string, Tensor> parameters, string prefix, long[] weightShape, long outputs)
    {
        graph.Initializer.Add(Initializer($"{prefix}.weight", weightShape, Values(parameters, $"{prefix}.weight", weightShape)));
        graph.Initializer.Add(Initializer($"{prefix}.bias", [outputs], Values(parameters, $"{prefix}.bias", [outputs])));
    }

    // The float32 values of parameters[key], which must have exactly `shape`.
    static float[] Values(IReadOnlyDictionary<string, Tensor> parameters, string key, long[] shape)
    {
        if (!parameters.TryGetValue(key, out var t))
            throw new ArgumentException($"No parameter '{key}' of shape [{string.Join(", ", shape)}] among [{string.Join(", ", parameters.Keys)}].", nameof(parameters));
        if (!t.shape.SequenceEqual(shape))
            throw new ArgumentException($"Parameter '{key}' has shape [{string.Join(", ", t.shape)}], the layer needs [{string.Join(", ", shape)}].", nameof(parameters));
        return t.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();
    }

    // Normalize constants: the module's buffers when given (they may hold a dataset's constants), else the declaration's.
    static float[] Constants(IReadOnlyDictionary<string, Tensor> parameters, string key, IReadOnlyList<double> declared, long count) =>
        parameters.ContainsKey(key) ? Values(parameters, key, [count]) : declared.Select(v => (float)v).ToArray();

    static TensorProto Initializer(string name, long[] dims, float[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        // raw_data is little-endian by the ONNX specification; float_data on a big-endian machine.
        if (BitConverter.IsLittleEndian) tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        else tensor.FloatData.AddRange(values);
        return tensor;
    }

    static ValueInfoProto Value(string name, Shape shape)
    {
        var tensorShape = new TensorShapeProto();
        tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = BatchDimension });
        foreach (var d in shape.Dims) tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = tensorShape } },
        };
    }

    static NodeProto Node(string op, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    static string ProducerVersion() =>
        typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "";
}
