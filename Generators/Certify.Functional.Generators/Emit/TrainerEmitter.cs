using Certify.Functional.Generators.Model;

namespace Certify.Functional.Generators.Emit;

/// <summary>Emits the typed trainer entry point of a declared network (hint <c>{Namespace}.{Type}.Trainer.g.cs</c>):
/// <c>Trainer(config)</c> binds the network's generated propagators once, as compile-time method groups, so training
/// never dispatches on the network's type.</summary>
internal static class TrainerEmitter
{
    /// <summary>The hint-name part.</summary>
    public const string Name = "Trainer";

    /// <summary>The trainer type the entry point constructs; the file is emitted only when the compilation has it.</summary>
    public const string TrainerType = "Certify.Functional.Training.NetworkTrainer";

    /// <summary>The trainer file.</summary>
    public static string Emit(NetworkSpec spec) => NetworkEmitter.EmitFile(spec, null, static (w, s) =>
    {
        w.Line($"/// <summary>A trainer for <c>{NetworkEmitter.Xml(s.Name)}</c> bound to its generated straight-line propagators (Box, zonotope, hybrid zonotope,");
        w.Line("/// back-substitution). Each run seeds torch with the configuration's seed and creates a fresh network.</summary>");
        w.Line("/// <param name=\"config\">The training configuration (validate it first).</param>");
        w.Line(NetworkEmitter.GeneratedCode);
        w.Line($"public static global::Certify.Functional.Training.NetworkTrainer Trainer(global::Certify.Functional.Training.TrainConfig config) =>");
        w.Line($"    new(config, static () => new {s.TypeName}(), static network => global::Certify.Functional.Relaxations.Domains.Propagators.Generated(({s.TypeName})network));");
    });
}
