using System.Linq;
using Certify.Functional.Generators.Model;

namespace Certify.Functional.Generators.Emit;

/// <summary>Writes a declared network's <c>ILayerWalk</c> (hint <c>{Namespace}.{Type}.Walk.g.cs</c>): the network's layer
/// list as straight-line code, generic over the relaxation table. <c>Propagate&lt;TTable, …&gt;</c> calls one table member
/// per layer, one local per layer; <c>BackSubstitute&lt;TTable, …&gt;</c> is a chain from any layer down to the input (a
/// <c>switch</c> whose cases fall through by <c>goto case</c>). Every domain is a type argument, so a new domain needs no
/// change here; the interpreter (<c>InterpretedWalk</c>) calls the same members in the same order.</summary>
internal static class WalkEmitter
{
    /// <summary>The hint-name part.</summary>
    public const string Name = "Walk";

    const string Domains = "global::Certify.Functional.Relaxations.Domains";
    const string Bounds = "global::Certify.Functional.Bounds";
    const string Tensor = "global::TorchSharp.torch.Tensor";
    const string Envelope = "global::Certify.Functional.Relaxations.DeepPoly.ReluEnvelope";
    const string InputDims = "CfLayerInputDims";

    /// <summary>The walk file.</summary>
    public static string Emit(NetworkSpec spec) => NetworkEmitter.EmitFile(spec, $"{Domains}.ILayerWalk", static (w, s) =>
    {
        w.Line("/// <inheritdoc/>");
        w.Line(NetworkEmitter.GeneratedCode);
        w.Line($"global::Certify.Functional.Networks.NetworkModule {Domains}.ILayerWalk.Network => this;");
        w.Line();
        WritePropagate(w, s);
        w.Line();
        WriteBackSubstitute(w, s);
        w.Line();
        w.Line("// The input shape of every layer (one example), for the back-substitution steps that reshape.");
        w.Line(NetworkEmitter.GeneratedCode);
        w.Line($"static readonly long[][] {InputDims} =");
        w.Open();
        foreach (var layer in s.Layers)
            w.Line($"new long[] {{ {NetworkEmitter.Dims(layer.Input)} }},");
        w.Close(";");
    });

    static void WritePropagate(SourceWriter w, NetworkSpec s)
    {
        w.Line("/// <inheritdoc/>");
        w.Line($"/// <remarks>Straight-line for inputs [B, {NetworkEmitter.Dims(s.Input)}]: one table member per layer.</remarks>");
        w.Line(NetworkEmitter.GeneratedCode);
        w.Line($"public {Bounds}.Propagation<TElement> Propagate<TTable, TElement, TContext>(TElement input, TContext context, {Bounds}.Spec? spec)");
        w.Line($"    where TTable : struct, {Domains}.IForwardRelaxations<TElement, TContext>");
        w.Open();
        string previous = "input";
        var relus = new System.Collections.Generic.List<string>();
        int last = s.Layers.Count - 1;
        foreach (var layer in s.Layers)
        {
            string x = previous, i = NetworkEmitter.Int(layer.Index), value = NetworkEmitter.LayerValue(layer);
            string call = layer.Kind switch
            {
                LayerKind.Normalize => $"TTable.Normalize({value}, {x})",
                LayerKind.Flatten => $"TTable.Flatten({x})",
                LayerKind.Dense when layer.Index == last => $"spec is null ? TTable.Dense({value}, {x}) : TTable.SpecDense({value}, spec, {x})",
                LayerKind.Dense => $"TTable.Dense({value}, {x})",
                LayerKind.Conv2d => $"TTable.Conv2d({value}, {x})",
                _ => $"TTable.Relu({x}, context, {NetworkEmitter.Int(relus.Count)})",
            };
            w.Line($"var {layer.LocalName} = {call};");
            if (layer.Kind == LayerKind.ReLU)
            {
                relus.Add(layer.LocalName);
                previous = layer.LocalName + ".Output";
            }
            else previous = layer.LocalName;
        }
        if (last < 0 || s.Layers[last].Kind != LayerKind.Dense)
        {
            w.Line($"var output = spec is not null && global::Certify.Functional.Relaxations.Shared.SpecLayer.AsLayer(spec, this) is {{ }} specLayer ? TTable.Dense(specLayer, {previous}) : {previous};");
            previous = "output";
        }
        string recorded = relus.Count == 0
            ? $"global::System.Array.Empty<{Bounds}.Box>()"
            : $"{Domains}.LayerWalk.Recorded({string.Join(", ", relus.Select(r => r + ".Bounds"))})";
        w.Line($"return new {Bounds}.Propagation<TElement>({recorded}, {previous});");
        w.Close();
    }

    static void WriteBackSubstitute(SourceWriter w, NetworkSpec s)
    {
        w.Line("/// <inheritdoc/>");
        w.Line("/// <remarks>A chain from layer <c>from</c> down to the input: each case moves the bound through its layer and falls through to the one below.</remarks>");
        w.Line(NetworkEmitter.GeneratedCode);
        w.Line($"public TResult BackSubstitute<TTable, TBound, TSide, TResult>(int from, TBound bound, global::System.Collections.Generic.IReadOnlyList<{Envelope}?> envelopes, {Tensor} lo, {Tensor} hi, TSide side)");
        w.Line($"    where TTable : struct, {Domains}.IBackwardRelaxations<TBound, TSide, TResult>");
        w.Open();
        w.Line("switch (from)");
        w.Open();
        for (int j = s.Layers.Count - 1; j >= 0; j--)
        {
            var layer = s.Layers[j];
            string i = NetworkEmitter.Int(j), value = NetworkEmitter.LayerValue(layer), dims = $"{InputDims}[{i}]";
            bool compact = j > 0 && s.Layers[j - 1].Kind == LayerKind.Dense;
            string step = layer.Kind switch
            {
                LayerKind.Normalize => $"TTable.Normalize({value}, {dims}, bound)",
                LayerKind.Flatten => $"TTable.Flatten({dims}, bound)",
                LayerKind.Dense => $"TTable.Dense({value}, bound)",
                LayerKind.Conv2d => $"TTable.Conv2d({value}, {dims}, bound)",
                _ => $"TTable.Relu({Domains}.LayerWalk.Envelope(envelopes, {i}), bound, compact: {(compact ? "true" : "false")}, side)",
            };
            w.Line($"case {i}: bound = {step}; goto case {NetworkEmitter.Int(j - 1)};");
        }
        w.Line("case -1: break;");
        w.Line($"default: throw {Domains}.LayerWalk.NoLayer(from, {NetworkEmitter.Int(s.Layers.Count)});");
        w.Close();
        w.Line("return TTable.Concretize(bound, lo, hi, side);");
        w.Close();
    }
}
