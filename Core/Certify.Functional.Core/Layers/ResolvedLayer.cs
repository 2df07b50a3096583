namespace Certify.Functional.Layers;

/// <summary>A declared layer at its position with its inferred input and output shapes.</summary>
/// <param name="Index">Position in the network; parameters are named <c>layers.{Index}.weight|bias</c>.</param>
/// <param name="Declaration">What was declared.</param>
/// <param name="Input">Shape of one example entering the layer.</param>
/// <param name="Output">Shape of one example leaving it.</param>
public sealed record ResolvedLayer(int Index, LayerDeclaration Declaration, Shape Input, Shape Output)
{
    /// <summary>Trainable parameters (weights and biases); Normalize's buffers are not trainable.</summary>
    public long ParameterCount => Declaration switch
    {
        DenseDeclaration d => Input.Size * d.OutFeatures + d.OutFeatures,
        Conv2dDeclaration c => (long)c.OutChannels * Input.Dims[0] * c.Kernel * c.Kernel + c.OutChannels,
        _ => 0,
    };

    /// <summary>The state-dict prefix of this layer, <c>layers.{Index}</c>.</summary>
    public string Prefix => $"layers.{Index}";

    /// <summary>A one-line summary such as "Dense 784→100".</summary>
    public override string ToString() => Declaration switch
    {
        DenseDeclaration d => $"Dense {Input.Size}→{d.OutFeatures}",
        Conv2dDeclaration c => $"Conv2d {Input}→{Output} (k{c.Kernel} s{c.Stride} p{c.Padding})",
        NormalizeDeclaration n => $"Normalize mean [{string.Join(", ", n.Mean)}] std [{string.Join(", ", n.Std)}]",
        _ => $"{Declaration.Kind} {Input}→{Output}",
    };
}
