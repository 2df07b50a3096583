using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Certify.Functional.Generators.Tests;

/// <summary>Compiles test sources against the real Core, Relaxations, TorchSharp and LanguageExt assemblies plus
/// the runtime, and runs <see cref="NetworkGenerator"/> over them with a plain <see cref="CSharpGeneratorDriver"/>.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    static readonly Lazy<ImmutableArray<MetadataReference>> references = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(new[]
            {
                typeof(Certify.Functional.NetworkAttribute).Assembly.Location,
                typeof(Certify.Functional.Relaxations.Concrete.DenseConcrete).Assembly.Location,
                typeof(TorchSharp.torch).Assembly.Location,
                typeof(LanguageExt.Prelude).Assembly.Location,
            })
            .Where(p => p.Length > 0)
            .Distinct(StringComparer.Ordinal);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    public static SyntaxTree Parse(string source, string path) => CSharpSyntaxTree.ParseText(source, ParseOptions, path);

    public static CSharpCompilation Compilation(params SyntaxTree[] trees) =>
        CSharpCompilation.Create("Certify.Functional.GeneratorTestInput", trees, references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>A compilation that references everything but the training library (a project that only verifies).</summary>
    public static CSharpCompilation CompilationWithoutTraining(params string[] sources) =>
        CSharpCompilation.Create("Certify.Functional.GeneratorTestInput", sources.Select((s, i) => Parse(s, $"Input{i}.cs")),
            references.Value.Where(r => !(r.Display ?? "").EndsWith("Certify.Functional.Training.dll", StringComparison.Ordinal)),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static CSharpCompilation Compilation(params string[] sources) =>
        Compilation(sources.Select((s, i) => Parse(s, $"Input{i}.cs")).ToArray());

    public static GeneratorDriver Driver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator: the compilation with generated sources, the generator's diagnostics and the run.</summary>
    public static (Compilation Output, ImmutableArray<Diagnostic> Diagnostics, GeneratorRunResult Result) Run(Compilation input, bool trackSteps = false)
    {
        var driver = Driver(trackSteps).RunGeneratorsAndUpdateCompilation(input, out var output, out var diagnostics);
        return (output, diagnostics, driver.GetRunResult().Results.Single());
    }

    public static (Compilation Output, ImmutableArray<Diagnostic> Diagnostics, GeneratorRunResult Result) Run(params string[] sources) =>
        Run(Compilation(sources));

    /// <summary>The repository root, found from this file's compile-time path.</summary>
    public static string RepositoryRoot([CallerFilePath] string sourceFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(sourceFile)!, "..", ".."));

    /// <summary>The declarations of Samples/Certify.Functional.Samples/Networks, parsed with their real paths.</summary>
    public static SyntaxTree[] SampleNetworks() =>
        Directory.GetFiles(Path.Combine(RepositoryRoot(), "Samples", "Certify.Functional.Samples", "Networks"), "*.cs")
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => Parse(File.ReadAllText(p), p))
            .ToArray();
}
