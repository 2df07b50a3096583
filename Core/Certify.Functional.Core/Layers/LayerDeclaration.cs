namespace Certify.Functional.Layers;

/// <summary>One declared layer: its kind and hyper-parameters, without shapes (those are inferred by
/// <see cref="NetworkDescription.Build"/>). The same vocabulary as the attributes and the JSON format.</summary>
public abstract record LayerDeclaration
{
    /// <summary>The layer kind.</summary>
    public abstract LayerKind Kind { get; }
}

/// <summary>The layer kinds known to the generator, the interpreter and the relaxations.</summary>
public enum LayerKind
{
    /// <summary>Per-channel (x − mean)/σ.</summary>
    Normalize,
    /// <summary>[C, H, W] → [C·H·W].</summary>
    Flatten,
    /// <summary>Fully connected.</summary>
    Dense,
    /// <summary>2-D convolution.</summary>
    Conv2d,
    /// <summary>max(x, 0).</summary>
    ReLU,
}

/// <summary>Normalization with per-channel constants (one value broadcasts over all channels).</summary>
public sealed record NormalizeDeclaration(IReadOnlyList<double> Mean, IReadOnlyList<double> Std) : LayerDeclaration
{
    /// <inheritdoc/>
    public override LayerKind Kind => LayerKind.Normalize;
    /// <inheritdoc/>
    public bool Equals(NormalizeDeclaration? other) =>
        other is not null && Mean.SequenceEqual(other.Mean) && Std.SequenceEqual(other.Std);
    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Mean.Count, Mean.FirstOrDefault(), Std.FirstOrDefault());
}

/// <summary>Flatten.</summary>
public sealed record FlattenDeclaration : LayerDeclaration
{
    /// <inheritdoc/>
    public override LayerKind Kind => LayerKind.Flatten;
}

/// <summary>Dense with <paramref name="OutFeatures"/> outputs.</summary>
public sealed record DenseDeclaration(int OutFeatures) : LayerDeclaration
{
    /// <inheritdoc/>
    public override LayerKind Kind => LayerKind.Dense;
}

/// <summary>Conv2d with a square kernel.</summary>
public sealed record Conv2dDeclaration(int OutChannels, int Kernel, int Stride, int Padding) : LayerDeclaration
{
    /// <inheritdoc/>
    public override LayerKind Kind => LayerKind.Conv2d;
}

/// <summary>ReLU.</summary>
public sealed record ReluDeclaration : LayerDeclaration
{
    /// <inheritdoc/>
    public override LayerKind Kind => LayerKind.ReLU;
}
