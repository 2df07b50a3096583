using System.Buffers.Binary;
using Certify.Functional.Errors;
using global::Onnx;

namespace Certify.Functional.Onnx;

/// <summary>A constant tensor of the graph (initializer or <c>Constant</c> node) as float64 values in row-major order.</summary>
sealed record OnnxConstant(double[] Values, long[] Dims)
{
    public long Count => Values.LongLength;

    public string ShapeText => Text(Dims);

    public static string Text(IEnumerable<long> dims) => "[" + string.Join(", ", dims) + "]";

    /// <summary>Decodes a tensor: float32, float64, int32 and int64 from their typed fields or raw little-endian bytes.</summary>
    public static OnnxConstant From(TensorProto t, string where)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External || t.ExternalData.Count > 0)
            throw new OnnxImportException(ErrorCodes.OnnxUnsupported,
                $"{where}: tensor '{t.Name}' keeps its data in an external file, which is not supported (save the model with its weights inside).");
        var dims = t.Dims.ToArray();
        if (dims.Any(d => d < 0))
            throw new OnnxImportException(ErrorCodes.OnnxUnreadable, $"{where}: tensor '{t.Name}' has a negative dimension {Text(dims)}.");
        long count = dims.Aggregate(1L, (a, d) => a * d);
        var raw = t.RawData.Span;
        double[] values = (TensorProto.Types.DataType)t.DataType switch
        {
            TensorProto.Types.DataType.Float => raw.Length > 0
                ? Decode(raw, 4, count, where, t.Name, s => BinaryPrimitives.ReadSingleLittleEndian(s))
                : t.FloatData.Select(v => (double)v).ToArray(),
            TensorProto.Types.DataType.Double => raw.Length > 0
                ? Decode(raw, 8, count, where, t.Name, BinaryPrimitives.ReadDoubleLittleEndian)
                : t.DoubleData.ToArray(),
            TensorProto.Types.DataType.Int64 => raw.Length > 0
                ? Decode(raw, 8, count, where, t.Name, s => BinaryPrimitives.ReadInt64LittleEndian(s))
                : t.Int64Data.Select(v => (double)v).ToArray(),
            TensorProto.Types.DataType.Int32 => raw.Length > 0
                ? Decode(raw, 4, count, where, t.Name, s => BinaryPrimitives.ReadInt32LittleEndian(s))
                : t.Int32Data.Select(v => (double)v).ToArray(),
            var other => throw new OnnxImportException(ErrorCodes.OnnxUnsupported,
                $"{where}: tensor '{t.Name}' has element type {other}; supported: float32, float64 (weights) and int32, int64 (shapes)."),
        };
        if (values.LongLength != count)
            throw new OnnxImportException(ErrorCodes.OnnxUnreadable,
                $"{where}: tensor '{t.Name}' has {values.LongLength} values for its shape {Text(dims)} ({count} expected); the file is damaged.");
        return new OnnxConstant(values, dims);
    }

    delegate double Reader(ReadOnlySpan<byte> bytes);

    static double[] Decode(ReadOnlySpan<byte> raw, int size, long count, string where, string name, Reader read)
    {
        if (raw.Length != count * size)
            throw new OnnxImportException(ErrorCodes.OnnxUnreadable,
                $"{where}: tensor '{name}' has {raw.Length} bytes of raw data, {count * size} expected; the file is damaged.");
        var values = new double[count];
        for (long i = 0; i < count; i++) values[i] = read(raw.Slice((int)(i * size), size));
        return values;
    }

    /// <summary>This constant broadcast (numpy rules) to <paramref name="target"/>, row-major; null when it does not broadcast.</summary>
    public double[]? BroadcastTo(long[] target)
    {
        if (Dims.Length > target.Length)
        {
            // Leading unit dimensions beyond the target's rank change nothing.
            if (Dims.Take(Dims.Length - target.Length).Any(d => d != 1)) return null;
            return new OnnxConstant(Values, Dims[(Dims.Length - target.Length)..]).BroadcastTo(target);
        }
        var dims = Enumerable.Repeat(1L, target.Length - Dims.Length).Concat(Dims).ToArray();
        for (int k = 0; k < dims.Length; k++)
            if (dims[k] != 1 && dims[k] != target[k]) return null;
        long total = target.Aggregate(1L, (a, d) => a * d);
        var result = new double[total];
        var strides = new long[dims.Length];
        for (int k = dims.Length - 1, s = 1; k >= 0; k--) { strides[k] = dims[k] == 1 ? 0 : s; s *= (int)dims[k]; }
        var index = new long[target.Length];
        for (long i = 0; i < total; i++)
        {
            long source = 0;
            for (int k = 0; k < index.Length; k++) source += index[k] * strides[k];
            result[i] = Values[source];
            for (int k = index.Length - 1; k >= 0; k--)
            {
                if (++index[k] < target[k]) break;
                index[k] = 0;
            }
        }
        return result;
    }

    /// <summary>The transpose of a constant by <paramref name="perm"/> (ONNX Transpose).</summary>
    public OnnxConstant Transposed(int[] perm)
    {
        var dims = perm.Select(p => Dims[p]).ToArray();
        var strides = new long[Dims.Length];
        for (int k = Dims.Length - 1, s = 1; k >= 0; k--) { strides[k] = s; s *= (int)Dims[k]; }
        var values = new double[Values.Length];
        var index = new long[dims.Length];
        for (long i = 0; i < values.LongLength; i++)
        {
            long source = 0;
            for (int k = 0; k < index.Length; k++) source += index[k] * strides[perm[k]];
            values[i] = Values[source];
            for (int k = index.Length - 1; k >= 0; k--)
            {
                if (++index[k] < dims[k]) break;
                index[k] = 0;
            }
        }
        return new OnnxConstant(values, dims);
    }
}
