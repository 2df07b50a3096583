using System.Globalization;
using Certify.Functional.Errors;
using Certify.Functional.Layers;
using global::Onnx;
using static TorchSharp.torch;

namespace Certify.Functional.Onnx;

/// <summary>
/// The walk over an ONNX graph's nodes (topologically ordered, as ONNX requires). The graph must be a chain: one data value
/// flows from the input to the output and every other operand is a constant. Each node maps onto the project's layers:
/// Gemm/MatMul → Dense, Conv → Conv2d, Relu → ReLU, Flatten/Reshape → Flatten (or nothing on a flat network), constant
/// Sub/Add/Mul/Div before the first Dense or Conv2d → one Normalize, and right after a Dense or Conv2d → folded into it.
/// </summary>
sealed class GraphImport
{
    readonly string source;
    readonly Dictionary<string, OnnxConstant> constants = new(StringComparer.Ordinal);
    readonly HashSet<string> consumed = new(StringComparer.Ordinal);
    readonly List<LayerBuilder> layers = [];
    string current;            // the data value's name
    long[] dims;               // its ONNX shape (batch included)
    Shape shape;               // one example's shape in the project's layers
    LayerBuilder.Affine? affine;      // the Dense/Conv2d whose output the data value is (bias and scale fold into it)
    bool linearSeen;           // a Dense, Conv2d or ReLU has been emitted (no more input normalisation)
    string where = "";         // "node 3 'name' (Op)" of the node being imported

    GraphImport(string source, string input, long[] inputDims, Shape inputShape)
    {
        this.source = source;
        current = input;
        dims = inputDims;
        shape = inputShape;
    }

    public static ImportedNetwork Run(GraphProto graph, string source, string name)
    {
        var constants = new Dictionary<string, OnnxConstant>(StringComparer.Ordinal);
        foreach (var t in graph.Initializer) constants[t.Name] = OnnxConstant.From(t, $"ONNX file '{source}', initializer '{t.Name}'");

        // Old exporters list the initializers among the inputs too: the real input is the one without an initializer.
        var inputs = graph.Input.Where(i => !constants.ContainsKey(i.Name)).ToList();
        if (inputs.Count != 1)
            throw new OnnxImportException(ErrorCodes.OnnxUnsupported,
                $"ONNX file '{source}': the graph has {inputs.Count} inputs without an initializer ({string.Join(", ", inputs.Select(i => i.Name))}); exactly one is supported.");
        if (graph.Output.Count != 1)
            throw new OnnxImportException(ErrorCodes.OnnxUnsupported,
                $"ONNX file '{source}': the graph has {graph.Output.Count} outputs ({string.Join(", ", graph.Output.Select(o => o.Name))}); exactly one is supported.");
        var input = inputs[0];
        var inputDims = InputDims(input, source);

        // Without convolutions every op before the first Dense is elementwise: the network takes a flat vector.
        bool convolutional = graph.Node.Any(n => n.OpType == "Conv");
        Shape inputShape;
        if (!convolutional) inputShape = Shape.Of(checked((int)inputDims.Aggregate(1L, (a, d) => a * d)));
        else if (inputDims.Length == 4 && inputDims[0] == 1) inputShape = Shape.Of(inputDims[1..].Select(d => checked((int)d)).ToArray());
        else
            throw new OnnxImportException(ErrorCodes.OnnxUnsupported,
                $"ONNX file '{source}': input '{input.Name}' has shape {OnnxConstant.Text(inputDims)}; a network with Conv needs a 1×C×H×W input.");

        var walk = new GraphImport(source, input.Name, inputDims, inputShape);
        foreach (var (k, v) in constants) walk.constants[k] = v;
        for (int i = 0; i < graph.Node.Count; i++) walk.Import(i, graph.Node[i]);

        string output = graph.Output[0].Name;
        if (output != walk.current)
            throw new OnnxImportException(ErrorCodes.OnnxUnsupported,
                $"ONNX file '{source}': the graph's output '{output}' is not the end of the chain from the input (that is '{walk.current}'); only a single chain of nodes is supported.");
        return walk.Finish(name, inputShape, input.Name, inputDims, output);
    }

    static long[] InputDims(ValueInfoProto input, string source)
    {
        var type = input.Type?.TensorType;
        if (type is null || (TensorProto.Types.DataType)type.ElemType is not (TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Double))
            throw new OnnxImportException(ErrorCodes.OnnxUnsupported,
                $"ONNX file '{source}': input '{input.Name}' is not a float32 or float64 tensor (element type {(type is null ? "none" : ((TensorProto.Types.DataType)type.ElemType).ToString())}).");
        if (type.Shape is null)
            throw new OnnxImportException(ErrorCodes.OnnxUnsupported, $"ONNX file '{source}': input '{input.Name}' has no shape; a fixed shape is needed.");
        var dims = new long[type.Shape.Dim.Count];
        for (int k = 0; k < dims.Length; k++)
        {
            var d = type.Shape.Dim[k];
            if (d.HasDimValue && d.DimValue > 0) dims[k] = d.DimValue;
            else if (k == 0 && dims.Length > 1) dims[k] = 1;           // a symbolic batch dimension
            else
                throw new OnnxImportException(ErrorCodes.OnnxUnsupported,
                    $"ONNX file '{source}': input '{input.Name}' has an unknown size in dimension {k} ('{d.DimParam}'); only the batch dimension may be symbolic.");
        }
        if (dims.Length == 0)
            throw new OnnxImportException(ErrorCodes.OnnxUnsupported, $"ONNX file '{source}': input '{input.Name}' is a scalar; a vector or image is needed.");
        return dims;
    }

    // ---- the nodes ----

    void Import(int index, NodeProto node)
    {
        where = $"ONNX file '{source}', node {index}{(node.Name.Length > 0 ? $" '{node.Name}'" : "")} ({node.OpType})";
        if (node.Domain is not ("" or "ai.onnx"))
            Fail($"the operator's domain '{node.Domain}' is not the default ONNX domain");
        switch (node.OpType)
        {
            case "Constant": Constant(node); break;
            case "Identity": Identity(node); break;
            case "Relu": Relu(node); break;
            case "Flatten": Flatten(node); break;
            case "Reshape": Reshape(node); break;
            case "Transpose": Transpose(node); break;
            case "Add" or "Sub" or "Mul" or "Div": Elementwise(node); break;
            case "Gemm": Gemm(node); break;
            case "MatMul": MatMul(node); break;
            case "Conv": Conv(node); break;
            default: Fail("the operator is not supported"); break;
        }
    }

    void Constant(NodeProto node)
    {
        var a = node.Attribute.FirstOrDefault() ?? throw Error("a Constant without a value");
        var value = a.Name switch
        {
            "value" when a.T is not null => OnnxConstant.From(a.T, where),
            "value_float" => new OnnxConstant([a.F], []),
            "value_floats" => new OnnxConstant(a.Floats.Select(f => (double)f).ToArray(), [a.Floats.Count]),
            "value_int" => new OnnxConstant([a.I], []),
            "value_ints" => new OnnxConstant(a.Ints.Select(i => (double)i).ToArray(), [a.Ints.Count]),
            _ => throw Error($"the attribute '{a.Name}' is not supported (value, value_float(s), value_int(s) are)"),
        };
        constants[Output(node)] = value;
    }

    void Identity(NodeProto node)
    {
        if (constants.TryGetValue(Input(node, 0), out var c)) constants[Output(node)] = c;
        else Advance(node, DataInput(node, 0), dims, keepAffine: true);
    }

    void Relu(NodeProto node)
    {
        DataInput(node, 0);
        Emit(new LayerBuilder.ReLU());
        linearSeen = true;
        Advance(node, null, dims);
    }

    void Flatten(NodeProto node)
    {
        DataInput(node, 0);
        int axis = (int)Int(node, "axis", 1);
        if (axis < 0) axis += dims.Length;
        if (axis < 0 || axis > dims.Length) throw Error($"axis {Int(node, "axis", 1)} is outside the input's rank {dims.Length}");
        long outer = dims[..axis].Aggregate(1L, (a, d) => a * d), inner = dims[axis..].Aggregate(1L, (a, d) => a * d);
        if (outer != 1) throw Error($"axis {axis} splits the example {OnnxConstant.Text(dims)} into {outer} rows; only a flatten to 1×N is supported");
        ToFlat();
        Advance(node, null, [1, inner]);
    }

    void Reshape(NodeProto node)
    {
        if (constants.TryGetValue(Input(node, 0), out var c))
        {
            constants[Output(node)] = new OnnxConstant(c.Values, TargetShape(node, c.Dims, c.Count));
            return;
        }
        DataInput(node, 0);
        var target = TargetShape(node, dims, shape.Size);
        if (shape.IsImage && !target.SequenceEqual(dims))
        {
            if (target.Count(d => d != 1) > 1)
                throw Error($"it reshapes the image {OnnxConstant.Text(dims)} to {OnnxConstant.Text(target)}; only a reshape to a flat vector (1×N) is supported");
            ToFlat();
        }
        Advance(node, null, target);
    }

    long[] TargetShape(NodeProto node, long[] from, long count)
    {
        var spec = Constant(node, 1, "shape");
        if (Int(node, "allowzero", 0) != 0 && spec.Values.Any(v => v == 0))
            throw Error("allowzero=1 with a zero in the shape is not supported");
        var target = spec.Values.Select((v, k) => v == 0 ? (k < from.Length ? from[k] : throw Error("a 0 in the shape beyond the input's rank")) : (long)v).ToArray();
        int inferred = Array.IndexOf(target, -1L);
        if (inferred >= 0)
        {
            long known = target.Where((d, k) => k != inferred).Aggregate(1L, (a, d) => a * d);
            if (known <= 0 || count % known != 0) throw Error($"the shape {OnnxConstant.Text(target)} does not fit {count} values");
            target[inferred] = count / known;
        }
        if (target.Any(d => d <= 0) || target.Aggregate(1L, (a, d) => a * d) != count)
            throw Error($"the shape {OnnxConstant.Text(target)} does not hold {count} values");
        return target;
    }

    void Transpose(NodeProto node)
    {
        var input = Input(node, 0);
        var rank = constants.TryGetValue(input, out var c) ? c.Dims.Length : dims.Length;
        var perm = Ints(node, "perm") ?? Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();
        if (perm.Length != rank || perm.Order().Select((p, k) => p == k).Any(ok => !ok))
            throw Error($"perm {OnnxConstant.Text(perm)} is not a permutation of the input's {rank} dimensions");
        var p = perm.Select(v => (int)v).ToArray();
        if (c is not null) { constants[Output(node)] = c.Transposed(p); return; }
        DataInput(node, 0);
        // A no-op on the data: the dimensions larger than 1 keep their order.
        var moved = p.Where(k => dims[k] != 1).ToArray();
        if (!moved.SequenceEqual(moved.Order()))
            throw Error($"perm {OnnxConstant.Text(perm)} reorders the data {OnnxConstant.Text(dims)}; only a transpose that moves unit dimensions is supported");
        var target = p.Select(k => dims[k]).ToArray();
        if (shape.IsImage && !target.SequenceEqual(dims))
            throw Error($"it changes the image's layout {OnnxConstant.Text(dims)} → {OnnxConstant.Text(target)}");
        Advance(node, null, target);
    }

    void Elementwise(NodeProto node)
    {
        string op = node.OpType;
        string a = Input(node, 0), b = Input(node, 1);
        bool dataFirst = a == current && !constants.ContainsKey(a);
        bool dataSecond = b == current && !constants.ContainsKey(b);
        if (!dataFirst && !dataSecond)
        {
            if (constants.ContainsKey(a) && constants.ContainsKey(b)) throw Error("an operation on constants alone (fold it into the initializers)");
            DataInput(node, constants.ContainsKey(a) ? 1 : 0);   // reports the branch or the unknown operand
        }
        if (dataFirst && dataSecond) throw Error("both operands are the data (x ∘ x); only an operation with a constant is supported");
        if (dataSecond && op is "Sub" or "Div") throw Error($"the data is the second operand (constant {(op == "Sub" ? "−" : "/")} x); only x {(op == "Sub" ? "−" : "/")} constant is supported");
        if (!constants.ContainsKey(dataFirst ? b : a)) DataInput(node, dataFirst ? 1 : 0);   // a second data operand: the graph branches
        var constant = Constant(node, dataFirst ? 1 : 0, "constant operand");
        DataInput(node, dataFirst ? 0 : 1);

        var outDims = Broadcast(dims, constant.Dims) ?? throw Error($"the constant {constant.ShapeText} does not broadcast with the data {OnnxConstant.Text(dims)}");
        long size = outDims.Aggregate(1L, (x, d) => x * d);
        if (size != shape.Size) throw Error($"the constant {constant.ShapeText} expands the data {OnnxConstant.Text(dims)} to {OnnxConstant.Text(outDims)}");
        var values = constant.BroadcastTo(outDims)!;

        if (affine is not null)
        {
            // Right after a Dense or Conv2d: y ∘ c is the same layer with another weight and bias.
            var perUnit = PerUnit(values, affine.Outputs)
                ?? throw Error($"the constant {constant.ShapeText} varies within a channel of the convolution's output; only per-channel constants fold into it");
            affine.Apply(op, perUnit, where);
        }
        else if (!linearSeen)
        {
            // Input normalisation: per channel on an image, per element on a flat vector.
            int units = shape.IsImage ? shape.Dims[0] : (int)shape.Size;
            var perUnit = PerUnit(values, units)
                ?? throw Error($"the constant {constant.ShapeText} varies within a channel of the image {OnnxConstant.Text(dims)}; only per-channel or scalar constants map onto Normalize");
            if (layers.LastOrDefault() is not LayerBuilder.Norm norm || norm.Units != units)
                Emit(norm = new LayerBuilder.Norm(units));
            norm.Apply(op, perUnit, where);
        }
        else throw Error($"a {op} by a constant here maps onto no layer: only input normalisation (before the first Gemm/MatMul/Conv/Relu) or a bias or scale right after a Gemm/MatMul/Conv is supported");
        Advance(node, null, outDims, keepAffine: true);
    }

    // values (the data's size) as one value per unit: units == values.Length, or constant within each of `units` blocks.
    static double[]? PerUnit(double[] values, int units)
    {
        int block = values.Length / units;
        if (block * units != values.Length) return null;
        var perUnit = new double[units];
        for (int u = 0; u < units; u++)
        {
            perUnit[u] = values[u * block];
            for (int j = 1; j < block; j++)
                if (values[u * block + j] != perUnit[u]) return null;
        }
        return perUnit;
    }

    static long[]? Broadcast(long[] x, long[] y)
    {
        int rank = Math.Max(x.Length, y.Length);
        var result = new long[rank];
        for (int k = 0; k < rank; k++)
        {
            long a = k - (rank - x.Length) is var i && i >= 0 ? x[i] : 1, b = k - (rank - y.Length) is var j && j >= 0 ? y[j] : 1;
            if (a != b && a != 1 && b != 1) return null;
            result[k] = Math.Max(a, b);
        }
        return result;
    }

    void Gemm(NodeProto node)
    {
        DataInput(node, 0);
        if (Int(node, "transA", 0) != 0) throw Error("transA=1 is not supported (only transA=0)");
        long transB = Int(node, "transB", 0);
        if (transB is not (0 or 1)) throw Error($"transB={transB}");
        var b = Constant(node, 1, "weight B");
        if (b.Dims.Length != 2) throw Error($"the weight B has shape {b.ShapeText}; a matrix is needed");
        var w = transB == 1 ? b : b.Transposed([1, 0]);                      // [out, in]
        long outputs = w.Dims[0], inputs = w.Dims[1];
        if (dims.Length != 2 || dims[0] != 1 || dims[1] != inputs || shape.Size != inputs)
            throw Error($"the data {OnnxConstant.Text(dims)} does not fit the weight (needs 1×{inputs})");
        double alpha = Float(node, "alpha", 1), beta = Float(node, "beta", 1);
        var bias = new double[outputs];
        if (node.Input.Count > 2 && node.Input[2].Length > 0)
        {
            var c = Constant(node, 2, "bias C");
            var values = c.BroadcastTo([1, outputs]) ?? throw Error($"the bias C {c.ShapeText} does not broadcast to 1×{outputs}");
            for (int j = 0; j < outputs; j++) bias[j] = beta * values[j];
        }
        EmitDense(node, w.Values.Select(v => alpha * v).ToArray(), bias, (int)outputs, (int)inputs, [1, outputs]);
    }

    void MatMul(NodeProto node)
    {
        string a = Input(node, 0), b = Input(node, 1);
        if (constants.ContainsKey(a) && !constants.ContainsKey(b))
        {
            // W · x with x a column: W is already [out, in].
            var w = Constant(node, 0, "weight");
            DataInput(node, 1);
            if (w.Dims.Length != 2) throw Error($"the weight {w.ShapeText} is not a matrix");
            long outputs = w.Dims[0], inputs = w.Dims[1];
            bool column = dims.Length == 1 && dims[0] == inputs || dims.Length == 2 && dims[0] == inputs && dims[1] == 1;
            if (!column || shape.Size != inputs) throw Error($"the data {OnnxConstant.Text(dims)} does not fit the weight {w.ShapeText}");
            EmitDense(node, w.Values, new double[outputs], (int)outputs, (int)inputs, dims.Length == 1 ? [outputs] : [outputs, 1]);
        }
        else
        {
            DataInput(node, 0);
            var w = Constant(node, 1, "weight");
            if (w.Dims.Length != 2) throw Error($"the weight {w.ShapeText} is not a matrix");
            long inputs = w.Dims[0], outputs = w.Dims[1];
            if (dims[^1] != inputs || dims[..^1].Any(d => d != 1) || shape.Size != inputs)
                throw Error($"the data {OnnxConstant.Text(dims)} does not fit the weight {w.ShapeText}");
            var outDims = dims.ToArray();
            outDims[^1] = outputs;
            EmitDense(node, w.Transposed([1, 0]).Values, new double[outputs], (int)outputs, (int)inputs, outDims);
        }
    }

    void EmitDense(NodeProto node, double[] weight, double[] bias, int outputs, int inputs, long[] outDims)
    {
        if (!shape.IsFlat) throw Error($"the data is an image {shape}; a Flatten or Reshape must come first");
        var dense = new LayerBuilder.Linear(weight, bias, outputs, inputs);
        Emit(dense);
        linearSeen = true;
        shape = Shape.Of(outputs);
        Advance(node, null, outDims);
        affine = dense;
    }

    void Conv(NodeProto node)
    {
        DataInput(node, 0);
        var w = Constant(node, 1, "weight W");
        if (!shape.IsImage || dims.Length != 4 || dims[0] != 1) throw Error($"the data {OnnxConstant.Text(dims)} is not a 1×C×H×W image");
        if (w.Dims.Length != 4) throw Error($"the weight {w.ShapeText} is not [out, in, kH, kW] (only 2-D convolutions are supported)");
        if (Int(node, "group", 1) != 1) throw Error($"group={Int(node, "group", 1)} is not supported (only 1)");
        if (Ints(node, "dilations") is { } dil && dil.Any(d => d != 1)) throw Error($"dilations {OnnxConstant.Text(dil)} are not supported (only 1)");
        string autoPad = node.Attribute.FirstOrDefault(x => x.Name == "auto_pad")?.S.ToStringUtf8() ?? "NOTSET";
        if (autoPad is not ("NOTSET" or "VALID" or "")) throw Error($"auto_pad={autoPad} is not supported (give explicit pads)");
        long outputs = w.Dims[0], kh = w.Dims[2], kw = w.Dims[3];
        if (w.Dims[1] != shape.Dims[0]) throw Error($"the weight {w.ShapeText} expects {w.Dims[1]} input channels, the data has {shape.Dims[0]}");
        if (Ints(node, "kernel_shape") is { } ks && !ks.SequenceEqual([kh, kw])) throw Error($"kernel_shape {OnnxConstant.Text(ks)} differs from the weight {w.ShapeText}");
        if (kh != kw) throw Error($"the kernel {kh}×{kw} is not square (only square kernels are supported)");
        var strides = Ints(node, "strides") ?? [1, 1];
        if (strides.Length != 2 || strides[0] != strides[1]) throw Error($"strides {OnnxConstant.Text(strides)} are not supported (only equal strides in both dimensions)");
        var pads = Ints(node, "pads") ?? [0, 0, 0, 0];
        if (pads.Length != 4 || pads.Any(p => p != pads[0])) throw Error($"pads {OnnxConstant.Text(pads)} are not supported (only the same padding on every side)");
        var bias = new double[outputs];
        if (node.Input.Count > 2 && node.Input[2].Length > 0)
        {
            var b = Constant(node, 2, "bias B");
            if (b.Count != outputs) throw Error($"the bias {b.ShapeText} does not have {outputs} values");
            bias = b.Values.ToArray();
        }
        var conv = new LayerBuilder.Convolution(w.Values, bias, (int)outputs, (int)w.Dims[1], (int)kh, (int)strides[0], (int)pads[0]);
        int h = shape.Dims[1] + 2 * conv.Padding, width = shape.Dims[2] + 2 * conv.Padding;
        if (conv.Kernel > h || conv.Kernel > width) throw Error($"the kernel {kh} is larger than the padded input {h}×{width}");
        Emit(conv);
        linearSeen = true;
        shape = Shape.Of(conv.OutChannels, (h - conv.Kernel) / conv.Stride + 1, (width - conv.Kernel) / conv.Stride + 1);
        Advance(node, null, [1, .. shape.Dims.Select(d => (long)d)]);
        affine = conv;
    }

    void ToFlat()
    {
        if (shape.IsImage) { Emit(new LayerBuilder.Flat()); shape = Shape.Of((int)shape.Size); }
    }

    void Emit(LayerBuilder layer) => layers.Add(layer);

    // ---- operands ----

    string Input(NodeProto node, int k) =>
        k < node.Input.Count && node.Input[k].Length > 0 ? node.Input[k] : throw Error($"input {k} is missing");

    string Output(NodeProto node) =>
        node.Output.Count >= 1 && node.Output[0].Length > 0 ? node.Output[0] : throw Error("the node has no output");

    // Checks that input k is the chain's data value (not a value consumed before: the graph would branch).
    string DataInput(NodeProto node, int k)
    {
        var name = Input(node, k);
        if (name == current) return name;
        if (constants.ContainsKey(name)) throw Error($"input '{name}' is a constant where the data is expected");
        if (consumed.Contains(name)) throw Error($"input '{name}' is used a second time: the graph branches, and only a chain of nodes is supported");
        throw Error($"input '{name}' is neither the network's input, a value computed before, nor a constant");
    }

    OnnxConstant Constant(NodeProto node, int k, string what)
    {
        var name = Input(node, k);
        return constants.TryGetValue(name, out var c) ? c : throw Error($"the {what} '{name}' is not a constant (initializer or Constant); only constant {what}s are supported");
    }

    void Advance(NodeProto node, string? _, long[] newDims, bool keepAffine = false)
    {
        consumed.Add(current);
        current = Output(node);
        dims = newDims;
        if (!keepAffine) affine = null;
        if (node.Output.Count > 1 && node.Output.Skip(1).Any(o => o.Length > 0)) throw Error("the node has more than one output");
    }

    static long Int(NodeProto node, string name, long fallback) => node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;
    static double Float(NodeProto node, string name, double fallback) => node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.F : fallback;
    static long[]? Ints(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.Ints.ToArray() : null;

    OnnxImportException Error(string what) =>
        new(ErrorCodes.OnnxUnsupported, $"{where}: {what}. Supported: {string.Join(", ", OnnxImport.SupportedOps)}.");

    void Fail(string what) => throw Error(what);

    // ---- the result ----

    ImportedNetwork Finish(string name, Shape input, string inputName, long[] inputDims, string outputName)
    {
        var kept = layers.Where(l => l is not LayerBuilder.Norm n || !n.IsIdentity).ToList();
        var declarations = kept.Select(l => l.Declaration()).ToList();
        var description = NetworkDescription.Build(name, input, declarations).Match(
            Succ: d => d,
            Fail: errors => throw new OnnxImportException(ErrorCodes.OnnxUnsupported,
                $"ONNX file '{source}': the imported layers do not form a valid network: {string.Join(" ", errors.Select(e => e.Message))}"));
        var parameters = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < kept.Count; i++)
            foreach (var (key, values, shape) in kept[i].Tensors())
                parameters[$"layers.{i}.{key}"] = tensor(values.Select(v => (float)v).ToArray(), shape, ScalarType.Float32).DetachFromDisposeScope();
        return new ImportedNetwork(description, parameters, inputName, inputDims, outputName);
    }
}
