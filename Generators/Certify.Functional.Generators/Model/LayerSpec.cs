namespace Certify.Functional.Generators.Model;

/// <summary>A declared layer at its position with its inferred shapes (mirrors Core's <c>ResolvedLayer</c>).</summary>
/// <param name="Index">Position among the layer attributes; parameters are <c>layers.{Index}.weight|bias</c>.</param>
internal sealed record LayerSpec(int Index, LayerDeclarationSpec Declaration, ShapeSpec Input, ShapeSpec Output)
{
    public LayerKind Kind => Declaration.Kind;

    /// <summary>Trainable parameters, exactly as Core's <c>ResolvedLayer.ParameterCount</c>.</summary>
    public long ParameterCount => Declaration.Kind switch
    {
        LayerKind.Dense => Input.Size * Declaration.Out + Declaration.Out,
        LayerKind.Conv2d => (long)Declaration.Out * Input.Dims[0] * Declaration.Kernel * Declaration.Kernel + Declaration.Out,
        _ => 0,
    };

    /// <summary>The local variable that holds this layer's output in generated code: <c>dense2</c>, <c>relu3</c>, ….</summary>
    public string LocalName => LayerKinds.Of(Kind).LocalPrefix + Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
