using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Shared;

/// <summary>
/// Linear maps and per-neuron scalings of <see cref="ErrorTerms"/>, block by block, keeping the factored forms:
/// a diagonal block through a Dense layer is a row-scaled view of Wᵀ's rows (no identity product, no copy); a column
/// scale (ReLU slope, 1/σ) is folded into the next layer's weight instead of rewriting every generator.
/// </summary>
public static class ErrorMaps
{
    /// <summary>Generators through a Dense layer (no bias): E ↦ E Wᵀ, W [out, in] or per example [B, out, in].</summary>
    public static ErrorTerms Dense(ErrorTerms errors, Dense layer) => new(errors.Blocks.Select(b => b switch
    {
        DiagonalBlock d => Affine.UnitImages(layer, d.Positions) switch
        {
            (var rows, false) => new MatrixBlock(rows.unsqueeze(0), d.Coefficients, null),
            (var rows, true) => new MatrixBlock(rows * d.Coefficients.unsqueeze(2), null, null),
        },
        MatrixBlock m => DenseMatrix(m, layer),
        _ => throw new ArgumentException($"Unknown generator block {b.GetType().Name}."),
    }).ToList());

    static GeneratorBlock DenseMatrix(MatrixBlock m, Dense layer)
    {
        if (m.ColumnScale is null && layer.Weight.dim() == 2)
            return m with { Matrix = nn.functional.linear(m.Matrix, layer.Weight) };      // [S, k, out], row scale kept
        // Per-example effective weight (ColumnScale folded in): [B, in, out].
        var weightT = layer.Weight.dim() == 2 ? layer.Weight.t().unsqueeze(0) : layer.Weight.transpose(1, 2);
        var effective = m.ColumnScale is null ? weightT : m.ColumnScale.unsqueeze(2) * weightT;
        var mapped = m.Shared ? matmul(m.Matrix[0], effective) : bmm(m.Matrix, effective);  // [B, k, out]
        return new MatrixBlock(m.RowScale is null ? mapped : mapped * m.RowScale.unsqueeze(2), null, null);
    }

    /// <summary>Generators through a general linear map without bias (a convolution).</summary>
    /// <param name="errors">Generators over neurons [B, …in].</param>
    /// <param name="map">Maps a batch of inputs [N, …in] to [N, …out].</param>
    /// <param name="neuronShape">The input neuron shape (…in), for unit vectors of diagonal blocks.</param>
    public static ErrorTerms Linear(ErrorTerms errors, Func<Tensor, Tensor> map, long[] neuronShape) => new(errors.Blocks.Select(b =>
    {
        switch (b)
        {
            case DiagonalBlock d:
                var images = map(UnitVectors.OneHot(d.Positions, neuronShape, d.Coefficients.dtype, d.Coefficients.device));
                return (GeneratorBlock)new MatrixBlock(images.unsqueeze(0), d.Coefficients, null);
            case MatrixBlock m:
                var input = m.ColumnScale is null ? m.Matrix : m.Matrix * m.ColumnScale.unsqueeze(1);   // [S, k, …in]
                var folded = map(input.flatten(0, 1));
                var mapped = folded.view([input.shape[0], input.shape[1], .. folded.shape[1..]]);
                return input.shape[0] == 1 || m.RowScale is null
                    ? new MatrixBlock(mapped, input.shape[0] == 1 ? m.RowScale : null, null)
                    : new MatrixBlock(mapped * RowView(m.RowScale, mapped), null, null);
            default:
                throw new ArgumentException($"Unknown generator block {b.GetType().Name}.");
        }
    }).ToList());

    /// <summary>Multiplies every generator elementwise by <paramref name="scale"/> [B, …] (a ReLU slope or 1/σ):
    /// diagonal coefficients are scaled at their positions, matrix blocks get a column scale (lazy).</summary>
    public static ErrorTerms Scale(ErrorTerms errors, Tensor scale) => new(errors.Blocks.Select(b => b switch
    {
        DiagonalBlock d => new DiagonalBlock(d.Positions, d.Coefficients * scale.flatten(1).index_select(1, d.Positions)),
        MatrixBlock m => (GeneratorBlock)(m with { ColumnScale = m.ColumnScale is null ? scale : m.ColumnScale * scale }),
        _ => throw new ArgumentException($"Unknown generator block {b.GetType().Name}."),
    }).ToList());

    /// <summary>The generators with flattened neuron dimensions.</summary>
    public static ErrorTerms Flatten(ErrorTerms errors) => new(errors.Blocks.Select(b => b switch
    {
        MatrixBlock m => m with { Matrix = m.Matrix.flatten(2), ColumnScale = m.ColumnScale?.flatten(1) },
        _ => b,
    }).ToList());

    static Tensor RowView(Tensor rowScale, Tensor like) =>
        rowScale.view([.. rowScale.shape, .. Enumerable.Repeat(1L, (int)like.dim() - 2)]);
}
