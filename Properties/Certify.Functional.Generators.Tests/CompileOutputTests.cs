using Microsoft.CodeAnalysis;

namespace Certify.Functional.Generators.Tests;

/// <summary>The generated code compiles against the real Core, Relaxations and TorchSharp, without warnings.</summary>
public class CompileOutputTests
{
    static void AssertClean(Compilation output)
    {
        var problems = output.GetDiagnostics()
            .Where(d => d.Severity is DiagnosticSeverity.Warning or DiagnosticSeverity.Error)
            .Select(d => d.ToString())
            .ToList();
        Assert.True(problems.Count == 0, "The generated code does not compile cleanly:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void Sample_networks_compile_without_warnings()
    {
        var (output, diagnostics, result) = GeneratorHarness.Run(GeneratorHarness.Compilation(GeneratorHarness.SampleNetworks()));
        Assert.Empty(diagnostics);
        Assert.Equal(6 * 3, result.GeneratedSources.Length);
        AssertClean(output);
    }

    [Fact]
    public void Nested_global_and_empty_networks_compile_without_warnings()
    {
        var (output, diagnostics, result) = GeneratorHarness.Run("""
            using Certify.Functional;

            namespace Demo.Block
            {
                /// <summary>Linear.</summary>
                [Network, Input(784), Dense(10)]
                internal partial class Linear { }

                /// <summary>No layers.</summary>
                [Network, Input(1, 2, 2)]
                public partial class Identity { }
            }

            /// <summary>Global.</summary>
            [Network("global-net")] [Input(2, 6, 6)] [Conv2d(4, 3, padding: 1)] [ReLU] [Flatten] [Dense(3)]
            public sealed partial class GlobalNet;

            /// <summary>Outer.</summary>
            public static partial class Outer<T>
            {
                /// <summary>Middle.</summary>
                public partial record struct Middle
                {
                    [Network] [Input(5)] [Normalize(0.5, 2)] [ReLU]
                    private sealed partial class Inner;
                }
            }
            """);
        Assert.Empty(diagnostics);
        Assert.Equal(4 * 3, result.GeneratedSources.Length);
        AssertClean(output);
    }

    [Fact]
    public void Without_the_training_library_there_is_no_trainer_and_the_rest_compiles()
    {
        var compilation = GeneratorHarness.CompilationWithoutTraining("""
            using Certify.Functional;
            namespace Demo;
            /// <summary>Verify only.</summary>
            [Network, Input(1, 4, 4), Flatten, Dense(5), ReLU, Dense(3)]
            public sealed partial class VerifyOnly;
            """);
        Assert.Null(compilation.GetTypeByMetadataName("Certify.Functional.Training.NetworkTrainer"));
        var (output, diagnostics, result) = GeneratorHarness.Run(compilation);
        Assert.Empty(diagnostics);
        Assert.Equal(new[] { "Demo.VerifyOnly.Walk.g.cs", "Demo.VerifyOnly.g.cs" }, result.GeneratedSources.Select(s => s.HintName).OrderBy(n => n, StringComparer.Ordinal));
        AssertClean(output);
    }
}
