using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Certify.Functional.Generators.Diagnostics;
using Certify.Functional.Generators.Model;

namespace Certify.Functional.Generators.Parsing;

/// <summary>One problem found by <see cref="ShapeInference"/>: the diagnostic id, the layer index (−1 for the
/// input) and the message parts.</summary>
internal sealed record ShapeProblem(string Id, int LayerIndex, string Where, string Detail);

/// <summary>Compile-time shape inference. It mirrors Core's <c>NetworkDescription.Build</c> rule for rule and in the
/// same order (the generator cannot reference Core), so that a declaration accepted here is accepted at run time;
/// <c>ShapeInferenceTests</c> compares the two on the sample networks and on random layer stacks.</summary>
internal static class ShapeInference
{
    /// <summary>Infers every layer's shapes and collects every problem (it does not stop at the first).</summary>
    public static (EquatableArray<LayerSpec> Layers, IReadOnlyList<ShapeProblem> Problems) Infer(
        ShapeSpec input, IReadOnlyList<LayerDeclarationSpec> layers)
    {
        var problems = new List<ShapeProblem>();
        if (input.Rank is not (1 or 3) || input.Dims.Any(d => d <= 0))
            problems.Add(new(DiagnosticDescriptors.NonPositiveSize.Id, -1, "[Input]",
                $"input shape {input} is not valid. Expected [C, H, W] or [N] with every size > 0; give positive sizes to [Input]."));

        var resolved = new List<LayerSpec>();
        var shape = input;
        for (int index = 0; index < layers.Count; index++)
        {
            var layer = layers[index];
            string where = $"layer {index.ToString(CultureInfo.InvariantCulture)} ({layer.Kind})";
            void Fail(string id, string detail) => problems.Add(new(id, index, where, detail));
            var next = InferOne(layer, shape, Fail);
            resolved.Add(new LayerSpec(index, layer, shape, next ?? shape));
            shape = next ?? shape;
        }
        return (resolved.ToEquatableArray(), problems);
    }

    static ShapeSpec? InferOne(LayerDeclarationSpec layer, ShapeSpec x, Action<string, string> fail)
    {
        switch (layer.Kind)
        {
            case LayerKind.Normalize:
                int channels = x.Dims[0];
                if (layer.Mean.Count != layer.Std.Count || (layer.Mean.Count != 1 && layer.Mean.Count != channels))
                    fail(DiagnosticDescriptors.ShapeMismatch.Id,
                        $"{Count(layer.Mean.Count)} means and {Count(layer.Std.Count)} standard deviations for an input of {Count(channels)} channels. Expected 1 or {Count(channels)} of each; give one constant per channel (or one for all).");
                if (layer.Std.Any(s => !(s > 0)) || layer.Mean.Any(m => double.IsNaN(m) || double.IsInfinity(m)))
                    fail(DiagnosticDescriptors.NonPositiveSize.Id,
                        $"standard deviations must be > 0 and means finite; got mean [{Join(layer.Mean)}], std [{Join(layer.Std)}]. Fix the normalization constants.");
                return x;
            case LayerKind.Flatten:
                return ShapeSpec.Of(unchecked((int)x.Size));
            case LayerKind.ReLU:
                return x;
            case LayerKind.Dense:
                if (layer.Out <= 0)
                    fail(DiagnosticDescriptors.NonPositiveSize.Id, $"output size must be > 0, got {Count(layer.Out)}. Give Dense a positive size.");
                if (!x.IsFlat)
                {
                    fail(DiagnosticDescriptors.ShapeMismatch.Id,
                        $"expects a flat input, but the previous layer produces {x}. Insert [Flatten] before it.");
                    return null;
                }
                return ShapeSpec.Of(Math.Max(layer.Out, 1));
            case LayerKind.Conv2d:
                bool ok = true;
                if (layer.Out <= 0 || layer.Kernel <= 0 || layer.Stride <= 0 || layer.Padding < 0)
                {
                    fail(DiagnosticDescriptors.NonPositiveSize.Id,
                        $"out-channels, kernel and stride must be > 0 and padding ≥ 0; got ({Count(layer.Out)}, {Count(layer.Kernel)}, {Count(layer.Stride)}, {Count(layer.Padding)}). Fix the Conv2d arguments.");
                    ok = false;
                }
                if (!x.IsImage)
                {
                    fail(DiagnosticDescriptors.ShapeMismatch.Id,
                        $"expects a [C, H, W] input, but the previous layer produces {x}. A convolution cannot follow Flatten or Dense; move it before them.");
                    return null;
                }
                if (!ok) return null;
                int h = x.Dims[1] + 2 * layer.Padding, w = x.Dims[2] + 2 * layer.Padding;
                if (layer.Kernel > h || layer.Kernel > w)
                {
                    fail(DiagnosticDescriptors.KernelTooLarge.Id,
                        $"kernel {Count(layer.Kernel)} is larger than the padded input {Count(h)}×{Count(w)}. Use a smaller kernel or more padding.");
                    return null;
                }
                return ShapeSpec.Of(layer.Out, (h - layer.Kernel) / layer.Stride + 1, (w - layer.Kernel) / layer.Stride + 1);
            default:
                fail(DiagnosticDescriptors.UnknownOrMisplacedLayer.Id, "unknown layer kind.");
                return null;
        }
    }

    static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    static string Join(EquatableArray<double> values) =>
        string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}
