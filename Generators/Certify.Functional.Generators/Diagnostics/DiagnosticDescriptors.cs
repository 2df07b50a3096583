using System;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Certify.Functional.Generators.Diagnostics;

/// <summary>Every diagnostic of the generator. Ids are stable and tracked in AnalyzerReleases.*.md; each has a
/// help page docs/diagnostics/CFxxxx.md. Messages follow "what, where, expected, got, fix".</summary>
internal static class DiagnosticDescriptors
{
    const string Category = "Certify.Functional";

    static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            helpLinkUri: $"docs/diagnostics/{id}.md");

    /// <summary>The [Network] class or one of its enclosing types is not partial.</summary>
    public static readonly DiagnosticDescriptor NotPartial = Error("CF0001",
        "Network class is not partial",
        "Type '{0}' must be partial: the generator adds the network's module members to class '{1}'. Add the 'partial' modifier to '{0}'.");

    /// <summary>No [Input].</summary>
    public static readonly DiagnosticDescriptor MissingInput = Error("CF0002",
        "Network has no input shape",
        "Network '{0}' on class '{1}' has no [Input] attribute. Expected exactly one [Input(channels, height, width)] or [Input(features)] before the layer attributes; add one.");

    /// <summary>An unknown layer attribute, a layer attribute before [Input], or a second [Input].</summary>
    public static readonly DiagnosticDescriptor UnknownOrMisplacedLayer = Error("CF0003",
        "Unknown or misplaced layer attribute",
        "Network '{0}', {1}: {2}");

    /// <summary>A layer whose input shape does not fit it.</summary>
    public static readonly DiagnosticDescriptor ShapeMismatch = Error("CF0004",
        "Layer does not fit its input shape",
        "Network '{0}', {1}: {2}");

    /// <summary>A non-positive size (or a non-positive standard deviation).</summary>
    public static readonly DiagnosticDescriptor NonPositiveSize = Error("CF0005",
        "Size must be positive",
        "Network '{0}', {1}: {2}");

    /// <summary>A convolution kernel larger than its padded input.</summary>
    public static readonly DiagnosticDescriptor KernelTooLarge = Error("CF0006",
        "Kernel larger than the padded input",
        "Network '{0}', {1}: {2}");

    /// <summary>A generic [Network] class.</summary>
    public static readonly DiagnosticDescriptor GenericNetwork = Error("CF0007",
        "Network class is generic",
        "Network class '{0}' is generic. Expected a non-generic class, because a network's architecture is fixed at compile time; remove the type parameters.");

    /// <summary>Every descriptor, by id order.</summary>
    public static readonly DiagnosticDescriptor[] All =
        { NotPartial, MissingInput, UnknownOrMisplacedLayer, ShapeMismatch, NonPositiveSize, KernelTooLarge, GenericNetwork };

    /// <summary>The descriptor with id <paramref name="id"/>.</summary>
    public static DiagnosticDescriptor ById(string id) =>
        All.FirstOrDefault(d => d.Id == id) ?? throw new ArgumentException($"Unknown diagnostic id '{id}'.", nameof(id));
}
