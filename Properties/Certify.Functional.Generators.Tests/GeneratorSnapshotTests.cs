using Certify.Functional.Generators.Emit;
using Certify.Functional.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Certify.Functional.Generators.Tests;

/// <summary>End-to-end snapshots: source in, generated files out, through <see cref="Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver"/>.</summary>
public class GeneratorSnapshotTests
{
    static void VerifyAll(GeneratorRunResult result, string prefix)
    {
        Assert.Empty(result.Diagnostics);
        Assert.NotEmpty(result.GeneratedSources);
        foreach (var source in result.GeneratedSources)
            Snapshot.Verify(source.SourceText.ToString(), $"{prefix}.{source.HintName}");
    }

    [Fact]
    public void Sample_networks()
    {
        var (_, _, result) = GeneratorHarness.Run(GeneratorHarness.Compilation(GeneratorHarness.SampleNetworks()));
        Assert.Equal(
            new[] { "Conv", "Conv32", "ConvPlus", "ConvPlus32", "Fc", "FcSmall" }
                .SelectMany(n => Files($"Certify.Functional.Samples.Networks.{n}")).OrderBy(n => n, StringComparer.Ordinal),
            result.GeneratedSources.Select(s => s.HintName).OrderBy(n => n, StringComparer.Ordinal));
        VerifyAll(result, "Driver");
    }

    [Fact]
    public void Block_namespace_global_namespace_and_nested_partials()
    {
        var (_, _, result) = GeneratorHarness.Run("""
            using Certify.Functional;

            namespace Demo.Block
            {
                [Network, Input(784), Dense(10)]
                internal partial class Linear { }
            }

            [Network("global-net")]
            [Input(2, 6, 6)]
            [Conv2d(4, 3, padding: 1)]
            [ReLU]
            [Flatten]
            [Dense(3)]
            public sealed partial class GlobalNet;

            public static partial class Outer<T>
            {
                public partial record struct Middle
                {
                    [Network] [Input(5)] [ReLU]
                    private sealed partial class Inner;
                }
            }
            """);
        Assert.Equal(
            new[] { "Demo.Block.Linear", "GlobalNet", "Outer_1.Middle.Inner" }.SelectMany(Files).OrderBy(n => n, StringComparer.Ordinal),
            result.GeneratedSources.Select(s => s.HintName).OrderBy(n => n, StringComparer.Ordinal));
        VerifyAll(result, "Driver");
    }

    // The module file, the layer walk every domain runs through and the trainer entry point.
    static IEnumerable<string> Files(string stem) =>
        new[] { $"{stem}.g.cs", $"{stem}.{WalkEmitter.Name}.g.cs", $"{stem}.{TrainerEmitter.Name}.g.cs" };
}
