using Certify.Functional.Layers;
using Certify.Functional.VnnLib;
using static TorchSharp.torch;

namespace Certify.Functional.Verification.Vnn;

/// <summary>One case of a VNN-LIB property as tensors: the input box shaped like the network's input, [1, …input], and
/// every row of every clause, Σ_k c_k·y_k ≤ d, as C [M, K] and d [M], with the clause of each row. Double precision
/// values as parsed; the caller converts.</summary>
public sealed record PropertyTensors(Tensor Lower, Tensor Upper, Tensor Rows, Tensor Bounds, int[] ClauseOf, int Clauses, bool[] Strict)
{
    /// <summary>The tensors of <paramref name="c"/> for a network with input shape <paramref name="input"/> and
    /// <paramref name="outputs"/> outputs (the property was checked against both), in float64 on <paramref name="device"/>.</summary>
    public static PropertyTensors Of(PropertyCase c, Shape input, long outputs, Device device)
    {
        var rows = c.Clauses.SelectMany(clause => clause.Rows).ToArray();
        var clauseOf = c.Clauses.SelectMany((clause, q) => clause.Rows.Select(_ => q)).ToArray();
        var matrix = new double[rows.Length * outputs];
        for (int m = 0; m < rows.Length; m++) Array.Copy(rows[m].Coefficients, 0, matrix, m * outputs, outputs);
        return new PropertyTensors(
            tensor(c.Lower, dtype: ScalarType.Float64, device: device).view(input.Batched(1)),
            tensor(c.Upper, dtype: ScalarType.Float64, device: device).view(input.Batched(1)),
            tensor(matrix, dtype: ScalarType.Float64, device: device).view(rows.Length, outputs),
            tensor(rows.Select(r => r.Bound).ToArray(), dtype: ScalarType.Float64, device: device),
            clauseOf, c.Clauses.Count, rows.Select(r => r.Strict).ToArray());
    }

    /// <summary>Which clauses an output y [K] (float64 values) satisfies: every row of the clause holds (≤, or &lt; for
    /// strict rows).</summary>
    public bool[] Satisfied(double[] y)
    {
        var c = Rows.cpu().data<double>().ToArray();
        var d = Bounds.cpu().data<double>().ToArray();
        int k = y.Length;
        var holds = Enumerable.Repeat(true, Clauses).ToArray();
        for (int m = 0; m < ClauseOf.Length; m++)
        {
            double s = 0;
            for (int j = 0; j < k; j++) s += c[m * k + j] * y[j];
            bool ok = Strict[m] ? s < d[m] : s <= d[m];
            if (!ok) holds[ClauseOf[m]] = false;
        }
        return holds;
    }
}
