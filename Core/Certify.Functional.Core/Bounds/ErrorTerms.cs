using static TorchSharp.torch;

namespace Certify.Functional.Bounds;

/// <summary>
/// The error generators of a zonotope, Σₖ Eₖ·εₖ with εₖ ∈ [−1, 1], in two forms:
/// <list type="bullet">
/// <item><c>Dense</c> [B, m, …]: m generators over the neuron shape (null when there are none);</item>
/// <item><c>Diagonal</c> blocks: generators that each touch one neuron (the input's per-pixel symbols and the
/// new symbols a ReLU introduces). They are never materialised as identity-sized matrices; an affine layer turns a
/// diagonal block into a dense one by mapping the k unit vectors once for the whole batch.</item>
/// </list>
/// Every example of the batch shares the symbols (a symbol may have coefficient 0 for some examples).
/// </summary>
public sealed record ErrorTerms(Tensor? Dense, IReadOnlyList<DiagonalErrors> Diagonal)
{
    /// <summary>No generators.</summary>
    public static ErrorTerms None { get; } = new(null, []);

    /// <summary>Σₖ |Eₖ| per neuron, [B, …neuron shape]; zeros when there are no generators.</summary>
    public Tensor AbsSum(long[] neuronShape, long batch, Device device, ScalarType dtype)
    {
        Tensor sum = Dense is null ? zeros([batch, .. neuronShape], dtype, device) : Dense.abs().sum(1);
        if (Diagonal.Count == 0) return sum;
        var flat = sum.flatten(1);
        foreach (var block in Diagonal)
            flat = flat.index_add(1, block.Positions, block.Coefficients.abs(), 1);
        return flat.view([batch, .. neuronShape]);
    }

    /// <summary>Number of generators (dense plus diagonal).</summary>
    public long Count => (Dense?.shape[1] ?? 0) + Diagonal.Sum(d => d.Positions.shape[0]);
}

/// <summary>k generators that each touch one neuron: generator j is <c>Coefficients[b, j]</c> at flattened neuron
/// position <c>Positions[j]</c> (int64 [k]) and 0 elsewhere. Coefficients [B, k].</summary>
public sealed record DiagonalErrors(Tensor Positions, Tensor Coefficients);
