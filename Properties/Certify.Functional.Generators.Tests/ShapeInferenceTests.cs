using Certify.Functional.Errors;
using Certify.Functional.Generators.Diagnostics;
using Certify.Functional.Generators.Model;
using Certify.Functional.Generators.Parsing;
using CoreLayers = Certify.Functional.Layers;

namespace Certify.Functional.Generators.Tests;

/// <summary>The generator's compile-time shape inference equals Core's <c>NetworkDescription.Build</c>: same layer
/// shapes and parameter counts for valid stacks, and the same problems (one per Core error, same code) for invalid ones.</summary>
public class ShapeInferenceTests
{
    static CoreLayers.LayerDeclaration ToCore(LayerDeclarationSpec d) => d.Kind switch
    {
        LayerKind.Normalize => new CoreLayers.NormalizeDeclaration(d.Mean.ToArray(), d.Std.ToArray()),
        LayerKind.Flatten => new CoreLayers.FlattenDeclaration(),
        LayerKind.ReLU => new CoreLayers.ReluDeclaration(),
        LayerKind.Dense => new CoreLayers.DenseDeclaration(d.Out),
        LayerKind.Conv2d => new CoreLayers.Conv2dDeclaration(d.Out, d.Kernel, d.Stride, d.Padding),
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };

    /// <summary>Core's error code for each generator diagnostic id.</summary>
    static int CoreCode(string id) =>
        id == DiagnosticDescriptors.NonPositiveSize.Id ? ErrorCodes.InvalidNetwork : ErrorCodes.ShapeMismatch;

    /// <summary>Compares both inferences; returns whether the stack is valid.</summary>
    static bool AssertAgrees(ShapeSpec input, IReadOnlyList<LayerDeclarationSpec> layers)
    {
        var (resolved, problems) = ShapeInference.Infer(input, layers);
        var core = CoreLayers.NetworkDescription.Build("N", CoreLayers.Shape.Of(input.Dims.ToArray()), layers.Select(ToCore));
        return core.Match(
            Succ: description =>
            {
                Assert.Empty(problems);
                Assert.Equal(description.ParameterCount, resolved.Sum(l => l.ParameterCount));
                Assert.Equal(description.Layers.Count, resolved.Count);
                for (int i = 0; i < resolved.Count; i++)
                {
                    Assert.Equal(description.Layers[i].Input.Dims, resolved[i].Input.Dims);
                    Assert.Equal(description.Layers[i].Output.Dims, resolved[i].Output.Dims);
                    Assert.Equal(description.Layers[i].ParameterCount, resolved[i].ParameterCount);
                }
                return true;
            },
            Fail: errors =>
            {
                Assert.Equal(errors.Select(e => e.Code).OrderBy(c => c), problems.Select(p => CoreCode(p.Id)).OrderBy(c => c));
                return false;
            });
    }

    [Fact]
    public void Sample_networks_agree_with_core_and_the_paper()
    {
        var expected = new Dictionary<string, long>
        {
            ["Fc"] = 425_410, ["FcSmall"] = 89_610, ["Conv"] = 314_982, ["ConvPlus"] = 329_606, ["Conv32"] = 411_494, ["ConvPlus32"] = 470_918,
        };
        var compilation = GeneratorHarness.Compilation(GeneratorHarness.SampleNetworks());
        var run = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation).GetRunResult().Results.Single();
        var specs = run.TrackedSteps[TrackingNames.Specs].SelectMany(s => s.Outputs).Select(o => (NetworkSpec)o.Value).ToList();

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), specs.Select(s => s.TypeName).Order(StringComparer.Ordinal));
        foreach (var spec in specs)
        {
            Assert.Equal(expected[spec.TypeName], spec.ParameterCount);
            Assert.True(AssertAgrees(spec.Input, spec.Layers.Select(l => l.Declaration).ToList()));
            Assert.Equal(LayerKind.Normalize, spec.Layers[0].Kind);
        }
    }

    [Fact]
    public void Random_layer_stacks_agree_with_core()
    {
        var random = new Random(20261126);
        int valid = 0, invalid = 0;
        for (int n = 0; n < 600; n++)
        {
            var (input, layers) = RandomStack(random);
            if (AssertAgrees(input, layers)) valid++; else invalid++;
        }
        // Both branches must be exercised substantially for the comparison to mean something.
        Assert.True(valid >= 100, $"only {valid} valid stacks");
        Assert.True(invalid >= 100, $"only {invalid} invalid stacks");
    }

    /// <summary>A stack that mostly fits (kinds chosen for the current rank, mostly positive sizes) with occasional
    /// misfits and bad sizes, so that every rule of both inferences is exercised.</summary>
    static (ShapeSpec, List<LayerDeclarationSpec>) RandomStack(Random r)
    {
        bool image = r.Next(2) == 0;
        int Size(int max) => r.Next(20) == 0 ? r.Next(-1, 1) : r.Next(1, max + 1);
        var input = image ? ShapeSpec.Of(r.Next(1, 4), Size(12), Size(12)) : ShapeSpec.Of(Size(40));
        int rank = image ? 3 : 1, channels = input.Dims[0];
        var layers = new List<LayerDeclarationSpec>();
        int count = r.Next(0, 7);
        for (int i = 0; i < count; i++)
        {
            bool fit = r.Next(10) != 0;
            int pick = r.Next(4);
            LayerDeclarationSpec layer = (fit ? (rank == 3 ? pick : pick + 10) : r.Next(5) + 20) switch
            {
                0 or 10 or 20 => Normalize(r, r.Next(8) == 0 ? r.Next(1, 4) : (r.Next(2) == 0 ? 1 : Math.Max(1, channels))),
                1 or 11 or 21 => LayerDeclarationSpec.Relu(),
                2 or 22 => LayerDeclarationSpec.Conv2d(Size(6), r.Next(8) == 0 ? r.Next(0, 14) : r.Next(1, 4),
                    r.Next(12) == 0 ? 0 : r.Next(1, 3), r.Next(12) == 0 ? -1 : r.Next(0, 2)),
                3 or 13 or 23 => LayerDeclarationSpec.Flatten(),
                _ => LayerDeclarationSpec.Dense(Size(20)),
            };
            layers.Add(layer);
            if (layer.Kind == LayerKind.Flatten || layer.Kind == LayerKind.Dense) rank = 1;
            if (layer.Kind == LayerKind.Conv2d && layer.Out > 0) channels = layer.Out;
            if (layer.Kind is LayerKind.Flatten or LayerKind.Dense) channels = 1 + r.Next(3);
        }
        return (input, layers);
    }

    static LayerDeclarationSpec Normalize(Random r, int count)
    {
        var mean = Enumerable.Range(0, count).Select(_ => r.NextDouble()).ToArray();
        var std = Enumerable.Range(0, r.Next(15) == 0 ? count + 1 : count).Select(_ => r.Next(15) == 0 ? 0.0 : 0.1 + r.NextDouble()).ToArray();
        return LayerDeclarationSpec.Normalize(mean, std);
    }
}
