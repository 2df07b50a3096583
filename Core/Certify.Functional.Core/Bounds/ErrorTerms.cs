using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Bounds;

/// <summary>
/// The error generators of a zonotope, Σₖ Eₖ·εₖ with εₖ ∈ [−1, 1], kept as blocks in factored form so that nothing
/// identity-sized is ever materialised and per-neuron scalings (ReLU slopes, normalization) cost O(B·n), not O(B·m·n):
/// <list type="bullet">
/// <item><see cref="DiagonalBlock"/>: generators that each touch one neuron (the input's per-pixel symbols, the new
/// symbols of a ReLU);</item>
/// <item><see cref="MatrixBlock"/>: generator j of example b is RowScale[b, j] · Matrix[b or 0, j, …] ⊙ ColumnScale[b, …].</item>
/// </list>
/// Every example of the batch shares the symbols (a symbol may have coefficient 0 for some examples).
/// </summary>
public sealed record ErrorTerms(IReadOnlyList<GeneratorBlock> Blocks)
{
    /// <summary>No generators.</summary>
    public static ErrorTerms None { get; } = new([]);

    /// <summary>Σₖ |Eₖ| per neuron, [B, …neuron shape] (zeros when there are no generators).</summary>
    public Tensor AbsSum(long[] neuronShape, long batch, Device device, ScalarType dtype)
    {
        Tensor? sum = null;
        foreach (var block in Blocks)
        {
            var part = block.AbsSum(batch, neuronShape);
            sum = sum is null ? part : sum + part;
        }
        return sum ?? zeros([batch, .. neuronShape], dtype, device);
    }

    /// <summary>Number of generators.</summary>
    public long Count => Blocks.Sum(b => b.Count);
}

/// <summary>One block of generators over neurons of shape [B, …].</summary>
public abstract record GeneratorBlock
{
    /// <summary>Number of generators in the block.</summary>
    public abstract long Count { get; }

    /// <summary>Σ over the block's generators of |Eₖ|, [B, …neuron shape].</summary>
    public abstract Tensor AbsSum(long batch, long[] neuronShape);
}

/// <summary>k generators that each touch one neuron: generator j is <c>Coefficients[b, j]</c> at flattened neuron
/// position <c>Positions[j]</c> (int64 [k]) and 0 elsewhere. Coefficients [B, k].</summary>
public sealed record DiagonalBlock(Tensor Positions, Tensor Coefficients) : GeneratorBlock
{
    /// <inheritdoc/>
    public override long Count => Positions.shape[0];

    /// <inheritdoc/>
    public override Tensor AbsSum(long batch, long[] neuronShape)
    {
        long size = neuronShape.Aggregate(1L, (a, d) => a * d);
        var flat = zeros([batch, size], Coefficients.dtype, Coefficients.device);
        return flat.index_add(1, Positions, Coefficients.abs(), 1).view([batch, .. neuronShape]);
    }
}

/// <summary>Generators in factored form: generator j of example b is RowScale[b, j] · Matrix[s, j, …] ⊙ ColumnScale[b, …],
/// where s = b for a per-example Matrix [B, k, …] and s = 0 for one shared by the batch [1, k, …]. RowScale [B, k] and
/// ColumnScale [B, …] are optional (null = 1); a per-example Matrix never has a RowScale.</summary>
public sealed record MatrixBlock(Tensor Matrix, Tensor? RowScale, Tensor? ColumnScale) : GeneratorBlock
{
    /// <inheritdoc/>
    public override long Count => Matrix.shape[1];

    /// <summary>True when the Matrix is shared by the whole batch.</summary>
    public bool Shared => Matrix.shape[0] == 1;

    /// <inheritdoc/>
    public override Tensor AbsSum(long batch, long[] neuronShape)
    {
        var m = Matrix.flatten(2);                                               // [S, k, N]
        Tensor sum;
        if (RowScale is not null)
            sum = Shared ? matmul(RowScale.abs(), m[0].abs()) : bmm(RowScale.abs().unsqueeze(1), m.abs()).squeeze(1);
        else
            sum = linalg.vector_norm(m, 1, [1L]).expand(batch, m.shape[2]);     // one pass, no |M| temporary
        var shaped = sum.view([batch, .. neuronShape]);
        return ColumnScale is null ? shaped : shaped * ColumnScale.abs();
    }
}
