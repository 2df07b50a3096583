namespace Certify.Functional.Layers;

/// <summary>The shape of one example (no batch dimension): [C, H, W] for images, [N] for flat vectors.</summary>
public sealed record Shape
{
    readonly int[] dims;
    Shape(int[] dims) => this.dims = dims;

    /// <summary>A shape from its dimensions (copied).</summary>
    public static Shape Of(params int[] dims) => new((int[])dims.Clone());

    /// <summary>The dimensions.</summary>
    public IReadOnlyList<int> Dims => dims;
    /// <summary>Number of dimensions.</summary>
    public int Rank => dims.Length;
    /// <summary>Number of scalars in one example.</summary>
    public long Size => dims.Aggregate(1L, (a, d) => a * d);
    /// <summary>True for [C, H, W].</summary>
    public bool IsImage => dims.Length == 3;
    /// <summary>True for [N].</summary>
    public bool IsFlat => dims.Length == 1;

    /// <summary>The batched shape [batch, dims…] as TorchSharp wants it.</summary>
    public long[] Batched(long batch) => dims.Select(d => (long)d).Prepend(batch).ToArray();

    /// <inheritdoc/>
    public bool Equals(Shape? other) => other is not null && dims.AsSpan().SequenceEqual(other.dims);
    /// <inheritdoc/>
    public override int GetHashCode() => dims.Aggregate(17, (h, d) => h * 31 + d);
    /// <summary>"1×28×28".</summary>
    public override string ToString() => string.Join("×", dims);
}
