using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Certify.Functional.Generators.Diagnostics;
using Certify.Functional.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Certify.Functional.Generators.Parsing;

/// <summary>Reads a <c>[Network]</c> class into a <see cref="NetworkSpec"/> plus diagnostics. This is the only place
/// that touches symbols and syntax; everything it returns is plain, equatable data.</summary>
internal static class NetworkParser
{
    /// <summary>The namespace of the declaration attributes.</summary>
    public const string AttributeNamespace = "Certify.Functional";
    /// <summary>The marker attribute the pipeline starts from.</summary>
    public const string NetworkAttributeName = AttributeNamespace + ".NetworkAttribute";

    const string InputAttributeName = "InputAttribute";
    const string LayerAttributeName = "LayerAttribute";

    /// <summary>The transform of <c>ForAttributeWithMetadataName</c>.</summary>
    public static Result<NetworkSpec> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var node = (ClassDeclarationSyntax)context.TargetNode;
        var classLocation = LocationInfo.From(node.Identifier.GetLocation());
        var diagnostics = new List<DiagnosticInfo>();
        string name = NetworkName(context.Attributes, symbol);

        if (symbol.TypeParameters.Length > 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericNetwork, classLocation, symbol.Name));

        foreach (var (type, location) in NonPartialTypes(symbol, node, cancellationToken))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, location ?? classLocation, type, symbol.Name));

        var declaration = ReadDeclaration(symbol, name, diagnostics, cancellationToken);
        if (declaration is null)
            return new Result<NetworkSpec>(null, InSourceOrder(diagnostics));

        var (input, inputLocation, layers, layerLocations, inferShapes) = declaration.Value;
        if (input is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingInput, classLocation, name, symbol.Name));
            return new Result<NetworkSpec>(null, InSourceOrder(diagnostics));
        }
        if (!inferShapes)
            return new Result<NetworkSpec>(null, InSourceOrder(diagnostics));

        var (resolved, problems) = ShapeInference.Infer(input, layers);
        foreach (var p in problems)
        {
            var location = p.LayerIndex < 0 ? inputLocation : layerLocations[p.LayerIndex];
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ById(p.Id), location ?? classLocation, name, p.Where, p.Detail));
        }
        if (diagnostics.Count > 0)
            return new Result<NetworkSpec>(null, InSourceOrder(diagnostics));

        var spec = new NetworkSpec(Hierarchy(symbol), symbol.Name, name, input, resolved);
        return new Result<NetworkSpec>(spec, EquatableArray<DiagnosticInfo>.Empty);
    }

    static EquatableArray<DiagnosticInfo> InSourceOrder(List<DiagnosticInfo> diagnostics) =>
        diagnostics.OrderBy(d => d.Location?.FilePath, StringComparer.Ordinal).ThenBy(d => d.Location?.Start ?? -1).ToEquatableArray();

    static string NetworkName(ImmutableArray<AttributeData> networkAttributes, INamedTypeSymbol symbol) =>
        networkAttributes.FirstOrDefault() is { ConstructorArguments: { Length: 1 } args } && args[0].Value is string s && s.Length > 0
            ? s
            : symbol.Name;

    /// <summary>The class itself and every enclosing type must be partial for the generated part to merge.</summary>
    static IEnumerable<(string Type, LocationInfo? Location)> NonPartialTypes(INamedTypeSymbol symbol, ClassDeclarationSyntax node, CancellationToken ct)
    {
        if (!node.Modifiers.Any(SyntaxKind.PartialKeyword))
            yield return (symbol.Name, null);
        for (var outer = symbol.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            var syntax = outer.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(ct) as TypeDeclarationSyntax;
            if (syntax is not null && !syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
                yield return (outer.Name, LocationInfo.From(syntax.Identifier.GetLocation()));
        }
    }

    /// <summary>Reads [Input] and the layer attributes in source order. Returns null when an attribute does not bind
    /// (the compiler reports that already, so no diagnostic is added and no source is emitted).</summary>
    static (ShapeSpec? Input, LocationInfo? InputLocation, List<LayerDeclarationSpec> Layers, List<LocationInfo?> LayerLocations, bool InferShapes)?
        ReadDeclaration(INamedTypeSymbol symbol, string name, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        ShapeSpec? input = null;
        LocationInfo? inputLocation = null;
        var layers = new List<LayerDeclarationSpec>();
        var locations = new List<LocationInfo?>();
        var beforeInput = new List<DiagnosticInfo>();
        bool inferShapes = true;

        foreach (var attribute in symbol.GetAttributes())
        {
            ct.ThrowIfCancellationRequested();
            var type = attribute.AttributeClass;
            if (type is null) continue;
            bool isLayer = DerivesFromLayerAttribute(type);
            bool ours = IsInAttributeNamespace(type);
            if (!isLayer && !(ours && type.Name == InputAttributeName)) continue;
            if (type.TypeKind == TypeKind.Error || attribute.AttributeConstructor is null) return null;

            var location = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(ct).GetLocation());
            var args = attribute.ConstructorArguments;
            if (!isLayer)
            {
                if (input is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownOrMisplacedLayer, location, name, "[Input]",
                        $"a second [Input] attribute, after [Input({string.Join(", ", input.Dims.Select(d => d.ToString(CultureInfo.InvariantCulture)))})]. Expected exactly one; remove this one."));
                    continue;
                }
                input = new ShapeSpec(args.Select(a => Int(a)).ToEquatableArray());
                inputLocation = location;
                continue;
            }

            int index = layers.Count;
            string where = $"layer {index.ToString(CultureInfo.InvariantCulture)} ([{ShortName(type.Name)}])";
            var kind = ours ? LayerKinds.ByAttribute(type.Name) : null;
            if (kind is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownOrMisplacedLayer, location, name, where,
                    $"unknown layer attribute '{type.ToDisplayString()}'. Expected one of {string.Join(", ", LayerKinds.All.Select(k => "[" + k.ShortAttributeName + "]"))}; " +
                    "remove it, or add the layer kind to Core, the relaxations and the generator's LayerKinds table."));
                inferShapes = false;
                continue;
            }
            if (input is null)
                beforeInput.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownOrMisplacedLayer, location, name, where,
                    $"the layer attribute comes before [Input]. Expected [Input] first, then the layers in order; move [Input(...)] above [{kind.ShortAttributeName}]."));

            layers.Add(ReadLayer(kind.Kind, args));
            locations.Add(location);
        }
        // Without any [Input], CF0002 alone says what to fix; "comes before [Input]" would only repeat it.
        if (input is not null) diagnostics.AddRange(beforeInput);
        return (input, inputLocation, layers, locations, inferShapes);
    }

    static LayerDeclarationSpec ReadLayer(LayerKind kind, ImmutableArray<TypedConstant> args) => kind switch
    {
        LayerKind.Normalize => LayerDeclarationSpec.Normalize(Doubles(args[0]), Doubles(args[1])),
        LayerKind.Dense => LayerDeclarationSpec.Dense(Int(args[0])),
        // Roslyn fills omitted optional arguments with their defaults and orders named arguments by parameter,
        // so ConstructorArguments is always (outChannels, kernel, stride, padding); the guards are for safety.
        LayerKind.Conv2d => LayerDeclarationSpec.Conv2d(Int(args[0]), Int(args[1]),
            args.Length > 2 ? Int(args[2]) : 1, args.Length > 3 ? Int(args[3]) : 0),
        LayerKind.Flatten => LayerDeclarationSpec.Flatten(),
        LayerKind.ReLU => LayerDeclarationSpec.Relu(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "No reader for this layer kind."),
    };

    static int Int(TypedConstant c) => c.Value is int i ? i : Convert.ToInt32(c.Value, CultureInfo.InvariantCulture);

    static double Double(object? value) => value is double d ? d : Convert.ToDouble(value, CultureInfo.InvariantCulture);

    static double[] Doubles(TypedConstant c) => c.Kind == TypedConstantKind.Array
        ? (c.IsNull ? Array.Empty<double>() : c.Values.Select(v => Double(v.Value)).ToArray())
        : new[] { Double(c.Value) };

    static string ShortName(string attributeName) =>
        attributeName.EndsWith("Attribute", StringComparison.Ordinal) ? attributeName.Substring(0, attributeName.Length - 9) : attributeName;

    static bool IsInAttributeNamespace(INamedTypeSymbol type) =>
        type.ContainingNamespace is { } ns && ns.ToDisplayString() == AttributeNamespace && type.ContainingType is null;

    static bool DerivesFromLayerAttribute(INamedTypeSymbol type)
    {
        for (var b = type.BaseType; b is not null; b = b.BaseType)
            if (b.Name == LayerAttributeName && IsInAttributeNamespace(b)) return true;
        return false;
    }

    static HierarchyInfo Hierarchy(INamedTypeSymbol symbol)
    {
        var containing = new List<ContainingTypeSpec>();
        for (var outer = symbol.ContainingType; outer is not null; outer = outer.ContainingType)
            containing.Insert(0, new ContainingTypeSpec(Keyword(outer), outer.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
        string ns = symbol.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
        return new HierarchyInfo(ns, containing.ToEquatableArray());
    }

    static string Keyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, IsValueType: true } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };
}
