using System;
using System.Linq;

namespace Certify.Functional.Generators.Model;

/// <summary>One row of the layer-kind table: how a kind is declared, described and wired.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="AttributeName">The attribute class in namespace <c>Certify.Functional</c>.</param>
/// <param name="DeclarationType">The Core record in <c>Certify.Functional.Layers</c> that declares it.</param>
/// <param name="LayerType">The layer value handed to relaxations (<c>Certify.Functional.Layers</c>).</param>
/// <param name="LocalPrefix">The generated local's name before the layer index.</param>
/// <param name="Accessor">The <c>NetworkModule</c> accessor returning the layer value for an index, or null when the
/// layer has no parameters and its value is the singleton <c>{LayerType}.Instance</c>.</param>
internal sealed record LayerKindInfo(
    LayerKind Kind, string AttributeName, string DeclarationType, string LayerType, string LocalPrefix, string? Accessor)
{
    /// <summary>The attribute name as written in source, without the <c>Attribute</c> suffix.</summary>
    public string ShortAttributeName => AttributeName.Substring(0, AttributeName.Length - "Attribute".Length);
}

/// <summary>The generator's table of layer kinds. It mirrors Core's <c>LayerKind</c> and the layer records (the
/// relaxation tables' members are checked by the compiler); <c>LayerKindsTests</c> asserts they agree. Adding a layer kind adds a row here.</summary>
internal static class LayerKinds
{
    public static readonly LayerKindInfo[] All =
    {
        new(LayerKind.Normalize, "NormalizeAttribute", "NormalizeDeclaration", "Normalize", "normalize", "NormalizeAt"),
        new(LayerKind.Flatten, "FlattenAttribute", "FlattenDeclaration", "Flatten", "flatten", null),
        new(LayerKind.Dense, "DenseAttribute", "DenseDeclaration", "Dense", "dense", "DenseAt"),
        new(LayerKind.Conv2d, "Conv2dAttribute", "Conv2dDeclaration", "Conv2d", "conv2d", "Conv2dAt"),
        new(LayerKind.ReLU, "ReLUAttribute", "ReluDeclaration", "Relu", "relu", null),
    };

    public static LayerKindInfo Of(LayerKind kind) =>
        All.FirstOrDefault(k => k.Kind == kind) ?? throw new ArgumentOutOfRangeException(nameof(kind), kind, "No row in LayerKinds.");

    /// <summary>The row of an attribute class name in <c>Certify.Functional</c>, or null.</summary>
    public static LayerKindInfo? ByAttribute(string attributeName) => All.FirstOrDefault(k => k.AttributeName == attributeName);
}
