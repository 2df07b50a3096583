using Certify.Functional.Generators.Emit;
using Certify.Functional.Generators.Model;
using Certify.Functional.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Certify.Functional.Generators;

/// <summary>Expands every <c>[Network]</c> partial class into a TorchSharp module (see <see cref="NetworkEmitter"/>).
/// Diagnostics and source are two outputs of one parse step, so each caches on its own.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                NetworkParser.NetworkAttributeName,
                static (node, _) => node is ClassDeclarationSyntax,
                static (ctx, ct) => NetworkParser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.Parse);

        var diagnostics = parsed
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, items) =>
        {
            foreach (var diagnostic in items) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
        });

        var specs = parsed
            .Where(static result => result.Spec is not null)
            .Select(static (result, _) => result.Spec!)
            .WithTrackingName(TrackingNames.Specs);
        context.RegisterSourceOutput(specs, static (spc, spec) =>
        {
            spc.AddSource(NetworkEmitter.HintName(spec), NetworkEmitter.Emit(spec));
            spc.AddSource(NetworkEmitter.HintName(spec, WalkEmitter.Name), WalkEmitter.Emit(spec));
        });

        // The trainer entry point only where the training library is referenced (a project that only verifies does
        // not need it, and its code would not compile there).
        var training = context.CompilationProvider
            .Select(static (compilation, _) => compilation.GetTypeByMetadataName(TrainerEmitter.TrainerType) is not null)
            .WithTrackingName(TrackingNames.Training);
        context.RegisterSourceOutput(specs.Combine(training), static (spc, pair) =>
        {
            if (pair.Right) spc.AddSource(NetworkEmitter.HintName(pair.Left, TrainerEmitter.Name), TrainerEmitter.Emit(pair.Left));
        });
    }
}
