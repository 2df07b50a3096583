using System.Collections.Generic;
using System.Linq;
using Certify.Functional.Generators.Model;

namespace Certify.Functional.Generators.Emit;

/// <summary>Writes the straight-line CROWN / DeepPoly method of a network from the templates of
/// <see cref="DeepPolyInfo"/>: for every ReLU one chain carrying both sides from the layer before it down to the input
/// (skipped when intermediate bounds are given), then the specification chain from the last layer. One local per
/// step; the same module calls, flags and order as Relaxations' <c>InterpretedBackSubstitution</c>.</summary>
internal static class DeepPolyEmitter
{
    /// <summary>The file <c>{Namespace}.{Type}.DeepPoly.g.cs</c>.</summary>
    public static string Emit(NetworkSpec spec) => NetworkEmitter.EmitFile(spec, DeepPolyInfo.Interface, (w, s) =>
    {
        w.Line("/// <inheritdoc/>");
        w.Line($"/// <remarks>CROWN / DeepPoly back-substitution (SPEC §3.7), straight-line for inputs [B, {NetworkEmitter.Dims(s.Input)}]. Fresh tensors, owned by the caller's dispose scope.</remarks>");
        w.Line(NetworkEmitter.GeneratedCode);
        w.Line($"public {DeepPolyInfo.Result} {DeepPolyInfo.Signature}");
        w.Open();
        var relus = s.Layers.Where(l => l.Kind == LayerKind.ReLU).ToList();
        if (relus.Count > 0)
        {
            w.Line("// The \"-C\" variants round their constant lines outward by a bound on the bounds' float rounding.");
            w.Line($"{DeepPolyInfo.MarginList}? margins = null;");
            w.Line($"if ({DeepPolyInfo.MarginsNeeded})");
            w.Open();
            w.Line("margins = new();");
            string m = "magnitude";
            w.Line($"var {m} = {DeepPolyInfo.MarginInput};");
            foreach (var layer in s.Layers.TakeWhile(l => l.Index <= relus[relus.Count - 1].Index))
            {
                string call = DeepPolyInfo.Of(layer.Kind).MarginCall.Replace("$layer", NetworkEmitter.LayerValue(layer)).Replace("$m", m);
                w.Line($"{m} = {call};");
            }
            w.Close();
        }
        for (int k = 0; k < relus.Count; k++)
        {
            var relu = relus[k];
            string i = NetworkEmitter.Int(relu.Index), pre = "pre" + i;
            w.Line(relu.Index == 0
                ? $"// {relu.LocalName}: its input is the network's input, unless bounds are given (CROWN-IBP)."
                : $"// {relu.LocalName}: its input by back-substitution from layers.{NetworkEmitter.Int(relu.Index - 1)} to the input, unless given (CROWN-IBP).");
            w.Line($"{DeepPolyInfo.Box} {pre};");
            w.Line($"if (intermediate is not null) {pre} = intermediate[{NetworkEmitter.Int(k)}];");
            w.Line("else");
            w.Open();
            string both = Chain(w, s, relu.Index - 1, DeepPolyInfo.PairIdentity, $"both{i}_", lowerSide: null, "envelope");
            w.Line($"{pre} = {DeepPolyInfo.PreActivation.Replace("$l", both + ".Lower").Replace("$u", both + ".Upper").Replace("$dims", NetworkEmitter.Dims(relu.Input))};");
            w.Close();
            w.Line($"var envelope{i} = {DeepPolyInfo.ComputeEnvelope.Replace("$pre", pre).Replace("$k", NetworkEmitter.Int(k))};");
        }

        w.Line("// The specification, with the given lower slopes in place of the heuristic ones (iclr2021, α-CROWN).");
        for (int k = 0; k < relus.Count; k++)
        {
            string i = NetworkEmitter.Int(relus[k].Index);
            w.Line($"var final{i} = {DeepPolyInfo.FinalEnvelope.Replace("$k", NetworkEmitter.Int(k)).Replace("$i", i).Replace("$pre", "pre" + i).Replace("$envelope", "envelope" + i)};");
        }
        int last = s.Layers.Count - 1;
        bool mergedDense = last >= 0 && s.Layers[last].Kind == LayerKind.Dense;
        w.Line("var specification = " + (mergedDense
            ? DeepPolyInfo.MergedStart.Replace("$layer", NetworkEmitter.LayerValue(s.Layers[last]))
            : DeepPolyInfo.SpecStart) + ";");
        int from = mergedDense ? last - 1 : last;
        string lowerSpec = Chain(w, s, from, "specification", "lowerSpec_", lowerSide: true, "final");
        w.Line($"{DeepPolyInfo.TensorType}? upper = null;");
        w.Line($"if (spec is not {DeepPolyInfo.DiffSpec})");
        w.Open();
        string upperSpec = Chain(w, s, from, "specification", "upperSpec_", lowerSide: false, "final");
        w.Line($"upper = {upperSpec};");
        w.Close();

        string bounds = relus.Count == 0 ? $"global::System.Array.Empty<{DeepPolyInfo.Box}>()" : $"new {DeepPolyInfo.Box}[] {{ {string.Join(", ", relus.Select(r => "pre" + NetworkEmitter.Int(r.Index)))} }}";
        string envelopes = relus.Count == 0 ? $"global::System.Array.Empty<{DeepPolyInfo.Envelope}>()" : $"new {DeepPolyInfo.Envelope}[] {{ {string.Join(", ", relus.Select(r => "envelope" + NetworkEmitter.Int(r.Index)))} }}";
        w.Line($"return new {DeepPolyInfo.Result}({bounds}, {lowerSpec}, upper, {envelopes});");
        w.Close();
    });

    /// <summary>Writes the back-substitution of <paramref name="start"/> from layer <paramref name="from"/> down to layer 0
    /// (one local <c>{prefix}{j}</c> per layer) and its concretization over the input; returns the latter's local.
    /// <paramref name="lowerSide"/> null: both sides at once (the pair calls).</summary>
    static string Chain(SourceWriter w, NetworkSpec spec, int from, string start, string prefix, bool? lowerSide, string envelopes)
    {
        string previous = start;
        string side = lowerSide == true ? "true" : "false";
        for (int j = from; j >= 0; j--)
        {
            var layer = spec.Layers[j];
            bool compact = j > 0 && spec.Layers[j - 1].Kind == LayerKind.Dense;
            var row = DeepPolyInfo.Of(layer.Kind);
            string call = (lowerSide is null ? row.PairCall : row.Call)
                .Replace("$layer", layer.Kind == LayerKind.ReLU ? "" : NetworkEmitter.LayerValue(layer))
                .Replace("$shape", $"new long[] {{ {NetworkEmitter.Dims(layer.Input)} }}")
                .Replace("$envelope", envelopes + NetworkEmitter.Int(j))
                .Replace("$lower", side)
                .Replace("$compact", compact ? "true" : "false")
                .Replace("$b", previous);
            string local = prefix + NetworkEmitter.Int(j);
            w.Line($"var {local} = {call};");
            previous = local;
        }
        string result = prefix.TrimEnd('_');
        w.Line($"var {result} = {(lowerSide is null ? DeepPolyInfo.ConcretizePair : DeepPolyInfo.Concretize).Replace("$b", previous).Replace("$lower", side)};");
        return result;
    }
}
