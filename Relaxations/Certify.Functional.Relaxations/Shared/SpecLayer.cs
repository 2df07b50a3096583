using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Shared;

/// <summary>Elision (relaxations.md §2): the specification C merged into the last Dense layer, W' = C·W [B, K−1, in],
/// b' = C·b [B, K−1], so that bounds are computed directly on the differences z_y − z_j.</summary>
public static class SpecLayer
{
    /// <summary>The last layer with the specification merged in (the layer itself for per-logit bounds).</summary>
    public static Dense Merge(Dense last, Spec spec) => spec switch
    {
        // C·W and C·b as two batched products with the ±1/0 matrix C: exact (one rounding, as W_y − W_j), and cheaper to
        // differentiate than gathering rows (a product's backward is one GEMM; index_select's is a scatter into zeros).
        DiffSpec d => Merged(last, Spec.DiffMatrix(d.Labels, d.Others, (int)d.Classes)),
        RowSpec r => Merged(last, r.Matrix),
        _ => last,
    };

    static Dense Merged(Dense last, Tensor c)
    {
        if (c.dtype != last.Weight.dtype) c = c.to(last.Weight.dtype);
        return new Dense(matmul(c, last.Weight), matmul(c, last.Bias));
    }

    /// <summary>The specification as a layer of its own (for networks that do not end in Dense, and to form exact
    /// differences from a per-logit element): W = C, b = 0, in <paramref name="dtype"/> (the bounds' precision: float64 in
    /// the final check); null for per-logit bounds.</summary>
    public static Dense? AsLayer(Spec spec, ScalarType dtype) => spec switch
    {
        DiffSpec d => new Dense(Spec.DiffMatrix(d.Labels, (int)d.Classes).to(dtype), zeros(d.Others.shape, dtype: dtype, device: d.Labels.device)),
        RowSpec r => new Dense(r.Matrix.to(dtype), zeros(r.Matrix.shape[0], r.Matrix.shape[1], dtype: dtype, device: r.Matrix.device)),
        _ => null,
    };

    /// <summary><see cref="AsLayer(Spec, ScalarType)"/> in the precision of <paramref name="net"/>'s weights (float64 in the final check).</summary>
    public static Dense? AsLayer(Spec spec, nn.Module net) =>
        AsLayer(spec, net.parameters().FirstOrDefault()?.dtype ?? ScalarType.Float32);
}
