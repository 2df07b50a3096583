using Microsoft.CodeAnalysis;

namespace Certify.Functional.Generators.Tests;

/// <summary>One test per CF id: the id, the severity, where it points and that the message names the problem.
/// An invalid declaration gets no generated source.</summary>
public class DiagnosticTests
{
    static (Diagnostic Diagnostic, string At) Single(string declaration, string id, params string[] messageParts)
    {
        var (output, diagnostics, result) = GeneratorHarness.Run("using Certify.Functional;\nnamespace Demo;\n" + declaration);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal($"docs/diagnostics/{id}.md", diagnostic.Descriptor.HelpLinkUri);
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var part in messageParts) Assert.Contains(part, message);
        Assert.Empty(result.GeneratedSources);
        return (diagnostic, At(output, diagnostic));
    }

    /// <summary>The source text a diagnostic points at (generator locations are file + span, not tree-bound).</summary>
    static string At(Compilation compilation, Diagnostic d)
    {
        string path = d.Location.GetLineSpan().Path;
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return tree.GetText().ToString(d.Location.SourceSpan);
    }

    [Fact]
    public void CF0001_class_not_partial()
    {
        var d = Single("[Network] [Input(784)] [Dense(10)] public sealed class Linear;", "CF0001", "'Linear' must be partial", "Add the 'partial' modifier");
        Assert.Equal("Linear", d.At);
    }

    [Fact]
    public void CF0001_enclosing_type_not_partial()
    {
        var d = Single("public class Outer { [Network] [Input(784)] [Dense(10)] public sealed partial class Linear; }", "CF0001", "'Outer' must be partial");
        Assert.Equal("Outer", d.At);
    }

    [Fact]
    public void CF0002_no_input()
    {
        var d = Single("[Network(\"N\")] [Flatten] [Dense(10)] public sealed partial class Linear;", "CF0002", "Network 'N'", "no [Input]", "add one");
        Assert.Equal("Linear", d.At);
    }

    [Fact]
    public void CF0003_unknown_layer_attribute()
    {
        var d = Single("""
            public sealed class MaxPoolAttribute : LayerAttribute { }
            [Network] [Input(1, 28, 28)] [MaxPool] [Flatten] [Dense(10)] public sealed partial class Pooled;
            """, "CF0003", "layer 0 ([MaxPool])", "unknown layer attribute 'Demo.MaxPoolAttribute'", "Expected one of [Normalize], [Flatten], [Dense], [Conv2d], [ReLU]");
        Assert.Equal("MaxPool", d.At);
    }

    [Fact]
    public void CF0003_layer_before_input()
    {
        var d = Single("[Network] [Dense(10)] [Input(784)] public sealed partial class Linear;", "CF0003", "layer 0 ([Dense])", "comes before [Input]");
        Assert.Equal("Dense(10)", d.At);
    }

    [Fact]
    public void CF0003_input_twice()
    {
        var d = Single("[Network] [Input(784)] [Input(10)] [Dense(10)] public sealed partial class Linear;", "CF0003", "a second [Input]", "after [Input(784)]");
        Assert.Equal("Input(10)", d.At);
    }

    [Fact]
    public void CF0004_dense_without_flatten()
    {
        var d = Single("[Network] [Input(1, 28, 28)] [Normalize(0.1307, 0.3081)] [Dense(10)] public sealed partial class Linear;",
            "CF0004", "layer 1 (Dense)", "expects a flat input", "1×28×28", "Insert [Flatten]");
        Assert.Equal("Dense(10)", d.At);
    }

    [Fact]
    public void CF0004_conv_after_flatten()
    {
        var d = Single("[Network] [Input(1, 28, 28)] [Flatten] [Conv2d(16, 4)] public sealed partial class C;",
            "CF0004", "layer 1 (Conv2d)", "expects a [C, H, W] input", "784", "cannot follow Flatten or Dense");
        Assert.Equal("Conv2d(16, 4)", d.At);
    }

    [Fact]
    public void CF0004_normalize_constant_count()
    {
        Single("[Network] [Input(1, 28, 28)] [Normalize(new[] { 0.1, 0.2, 0.3 }, new[] { 1.0, 1.0, 1.0 })] public sealed partial class N;",
            "CF0004", "layer 0 (Normalize)", "3 means and 3 standard deviations for an input of 1 channels", "Expected 1 or 1 of each");
    }

    [Fact]
    public void CF0005_non_positive_sizes()
    {
        var d = Single("[Network] [Input(784)] [Dense(0)] public sealed partial class Linear;", "CF0005", "layer 0 (Dense)", "output size must be > 0, got 0");
        Assert.Equal("Dense(0)", d.At);
        d = Single("[Network] [Input(0, 28, 28)] [Flatten] public sealed partial class Empty;", "CF0005", "input shape 0×28×28 is not valid");
        Assert.Equal("Input(0, 28, 28)", d.At);
        Single("[Network] [Input(1, 28, 28)] [Conv2d(16, 4, stride: 0)] public sealed partial class C;", "CF0005", "got (16, 4, 0, 0)");
        Single("[Network] [Input(1, 28, 28)] [Conv2d(16, 4, padding: -1)] public sealed partial class C;", "CF0005", "padding ≥ 0");
        Single("[Network] [Input(1, 28, 28)] [Normalize(0.5, 0)] public sealed partial class N;", "CF0005", "standard deviations must be > 0", "std [0]");
    }

    [Fact]
    public void CF0006_kernel_larger_than_padded_input()
    {
        var d = Single("[Network] [Input(1, 4, 4)] [Conv2d(8, 7, padding: 1)] public sealed partial class Tiny;",
            "CF0006", "layer 0 (Conv2d)", "kernel 7 is larger than the padded input 6×6", "smaller kernel or more padding");
        Assert.Equal("Conv2d(8, 7, padding: 1)", d.At);
    }

    [Fact]
    public void CF0007_generic_class()
    {
        var d = Single("[Network] [Input(784)] [Dense(10)] public sealed partial class Linear<T>;", "CF0007", "'Linear' is generic", "remove the type parameters");
        Assert.Equal("Linear", d.At);
    }

    [Fact]
    public void Every_problem_is_reported_not_only_the_first()
    {
        var (_, diagnostics, result) = GeneratorHarness.Run("""
            using Certify.Functional;
            [Network] [Input(1, 28, 28)] [Dense(10)] [Conv2d(0, 4)] [Dense(-1)]
            public sealed class Broken;
            """);
        Assert.Equal(new[] { "CF0001", "CF0004", "CF0004", "CF0005", "CF0005" }, diagnostics.Select(d => d.Id).OrderBy(i => i, StringComparer.Ordinal));
        Assert.Empty(result.GeneratedSources);
    }

    [Fact]
    public void Conv2d_optional_and_named_arguments_are_read_by_parameter()
    {
        var (_, diagnostics, result) = GeneratorHarness.Run("""
            using Certify.Functional;
            [Network] [Input(1, 28, 28)] [Conv2d(16, 4)] [Conv2d(8, 3, padding: 1)] [Conv2d(padding: 2, kernel: 5, stride: 3, outChannels: 4)]
            public sealed partial class Convs;
            """);
        Assert.Empty(diagnostics);
        string code = Assert.Single(result.GeneratedSources, g => g.HintName == "Convs.g.cs").SourceText.ToString();
        Assert.Contains("Conv2dDeclaration(16, 4, 1, 0)", code);
        Assert.Contains("Conv2dDeclaration(8, 3, 1, 1)", code);
        Assert.Contains("Conv2dDeclaration(4, 5, 3, 2)", code);
    }

    [Fact]
    public void Attributes_from_other_namespaces_are_ignored()
    {
        var (_, diagnostics, result) = GeneratorHarness.Run("""
            using Certify.Functional;
            [System.Obsolete("x")] [Network] [Input(4)] [System.Serializable] [Dense(2)]
            public sealed partial class Marked;
            """);
        Assert.Empty(diagnostics);
        Assert.Contains("DenseAt(0)", Assert.Single(result.GeneratedSources, g => g.HintName == "Marked.Walk.g.cs").SourceText.ToString());
    }
}
