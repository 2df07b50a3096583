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
            spc.AddSource(NetworkEmitter.HintName(spec, TrainerEmitter.Name), TrainerEmitter.Emit(spec));
        });
    }
}
