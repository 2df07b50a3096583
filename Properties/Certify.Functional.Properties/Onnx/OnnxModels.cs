using Google.Protobuf;
using global::Onnx;

namespace Certify.Functional.Properties.Onnx;

/// <summary>Small ONNX models built in the test from the protobuf classes (no committed binaries).</summary>
static class OnnxModels
{
    public const int Float = (int)TensorProto.Types.DataType.Float, Float64 = (int)TensorProto.Types.DataType.Double, Int64 = (int)TensorProto.Types.DataType.Int64;

    /// <summary>Seeded values in [−1, 1].</summary>
    public static float[] Values(Random rng, int count) => Enumerable.Range(0, count).Select(_ => (float)(2 * rng.NextDouble() - 1)).ToArray();

    /// <summary>A float32 tensor, in <c>float_data</c> or (when <paramref name="raw"/>) little-endian <c>raw_data</c>.</summary>
    public static TensorProto Tensor(string name, long[] dims, float[] values, bool raw = false)
    {
        var t = new TensorProto { Name = name, DataType = Float };
        t.Dims.AddRange(dims);
        if (raw) t.RawData = ByteString.CopyFrom(values.SelectMany(BitConverter.GetBytes).ToArray());
        else t.FloatData.AddRange(values);
        return t;
    }

    /// <summary>A float64 tensor (<c>double_data</c>, or raw).</summary>
    public static TensorProto Tensor64(string name, long[] dims, double[] values, bool raw = false)
    {
        var t = new TensorProto { Name = name, DataType = Float64 };
        t.Dims.AddRange(dims);
        if (raw) t.RawData = ByteString.CopyFrom(values.SelectMany(BitConverter.GetBytes).ToArray());
        else t.DoubleData.AddRange(values);
        return t;
    }

    /// <summary>An int64 tensor (shapes).</summary>
    public static TensorProto Ints(string name, params long[] values)
    {
        var t = new TensorProto { Name = name, DataType = Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        return t;
    }

    public static ValueInfoProto Value(string name, long[] dims, int elemType = Float)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elemType, Shape = shape } } };
    }

    public static AttributeProto Attr(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
    public static AttributeProto Attr(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };
    public static AttributeProto Attr(string name, long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }
    public static AttributeProto Attr(string name, TensorProto value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };

    public static NodeProto Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var n = new NodeProto { OpType = op, Name = $"{op.ToLowerInvariant()}_{output}" };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        n.Attribute.AddRange(attributes);
        return n;
    }

    /// <summary>A model of one graph: input "x" of <paramref name="inputDims"/>, output <paramref name="output"/>.</summary>
    public static byte[] Model(long[] inputDims, IEnumerable<NodeProto> nodes, IEnumerable<TensorProto> initializers, string output,
        long[] outputDims, int opset = 13, int elemType = Float, bool initializersAsInputs = false)
    {
        var graph = new GraphProto { Name = "test" };
        graph.Node.AddRange(nodes);
        var inits = initializers.ToList();
        graph.Initializer.AddRange(inits);
        if (initializersAsInputs) graph.Input.AddRange(inits.Select(t => Value(t.Name, t.Dims.ToArray(), t.DataType)));
        graph.Input.Add(Value("x", inputDims, elemType));
        graph.Output.Add(Value(output, outputDims, elemType));
        var model = new ModelProto { IrVersion = 7, ProducerName = "certify-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model.ToByteArray();
    }
}
