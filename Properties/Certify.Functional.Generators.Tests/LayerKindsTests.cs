using System.Reflection;
using Certify.Functional.Generators.Model;
using CoreLayers = Certify.Functional.Layers;

namespace Certify.Functional.Generators.Tests;

/// <summary>The generator's <see cref="LayerKinds"/> table agrees with Core (kinds, attributes, declarations, layer
/// values, accessors) and with the relaxation modules the emitted code calls.</summary>
public class LayerKindsTests
{
    static readonly Assembly Core = typeof(CoreLayers.LayerDeclaration).Assembly;
    static readonly Assembly Relaxations = typeof(Certify.Functional.Relaxations.Concrete.DenseConcrete).Assembly;

    [Fact]
    public void Kinds_mirror_core()
    {
        Assert.Equal(Enum.GetNames<CoreLayers.LayerKind>(), Enum.GetNames<LayerKind>());
        Assert.Equal(Enum.GetValues<CoreLayers.LayerKind>().Select(v => (int)v), Enum.GetValues<LayerKind>().Select(v => (int)v));
        Assert.Equal(Enum.GetValues<LayerKind>(), LayerKinds.All.Select(k => k.Kind));
    }

    [Fact]
    public void Every_row_names_existing_types()
    {
        foreach (var row in LayerKinds.All)
        {
            var attribute = Core.GetType($"Certify.Functional.{row.AttributeName}");
            Assert.True(attribute is not null && attribute.IsSubclassOf(typeof(LayerAttribute)), $"{row.Kind}: attribute {row.AttributeName}");

            var declaration = Core.GetType($"Certify.Functional.Layers.{row.DeclarationType}");
            Assert.True(declaration is not null && declaration.IsSubclassOf(typeof(CoreLayers.LayerDeclaration)), $"{row.Kind}: declaration {row.DeclarationType}");

            var layer = Core.GetType($"Certify.Functional.Layers.{row.LayerType}");
            Assert.True(layer is not null && typeof(CoreLayers.ILayer).IsAssignableFrom(layer), $"{row.Kind}: layer {row.LayerType}");

            if (row.Accessor is null)
                Assert.NotNull(layer!.GetProperty("Instance", BindingFlags.Public | BindingFlags.Static));
            else
                Assert.Equal(layer, typeof(Certify.Functional.Networks.NetworkModule)
                    .GetMethod(row.Accessor, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, new[] { typeof(int) })?.ReturnType);

            string relaxation = LayerKinds.RelaxationType(row.Kind, DomainInfo.Concrete).Replace("global::", "");
            var propagate = Relaxations.GetType(relaxation)?.GetMethod("Propagate", BindingFlags.Public | BindingFlags.Static);
            Assert.True(propagate is not null, $"{row.Kind}: {relaxation}.Propagate");
            Assert.Equal(new[] { layer, typeof(TorchSharp.torch.Tensor) }, propagate!.GetParameters().Select(p => p.ParameterType));
            Assert.Equal(typeof(TorchSharp.torch.Tensor), propagate.ReturnType);
        }
    }

    [Fact]
    public void Every_kind_has_a_back_substitution_module()
    {
        Assert.Equal(Enum.GetValues<LayerKind>().OrderBy(k => k), DeepPolyInfo.Backward.Select(b => b.Kind).OrderBy(k => k));
        foreach (var row in DeepPolyInfo.Backward)
        {
            var module = Relaxations.GetType($"Certify.Functional.Relaxations.DeepPoly.{row.Module}");
            var backward = module?.GetMethod("Backward", BindingFlags.Public | BindingFlags.Static);
            Assert.True(backward is not null, $"{row.Kind}: {row.Module}.Backward");
            Assert.Equal(typeof(Certify.Functional.Bounds.LinearBound), backward!.ReturnType);
            Assert.Contains($".{row.Module}.Backward(", row.Call);
            var margin = Relaxations.GetType("Certify.Functional.Relaxations.DeepPoly.RoundingMargin")?
                .GetMethod(row.Kind.ToString(), BindingFlags.Public | BindingFlags.Static | BindingFlags.IgnoreCase);
            Assert.True(margin is not null, $"{row.Kind}: RoundingMargin.{row.Kind}");
            Assert.Contains($".RoundingMargin.{margin!.Name}(", row.MarginCall);
            var pair = module!.GetMethod("BackwardPair", BindingFlags.Public | BindingFlags.Static);
            Assert.True(pair is not null, $"{row.Kind}: {row.Module}.BackwardPair");
            Assert.Equal(typeof(Certify.Functional.Bounds.LinearBoundPair), pair!.ReturnType);
            Assert.Contains($".{row.Module}.BackwardPair(", row.PairCall);
        }
        var method = typeof(Certify.Functional.Relaxations.Domains.IDeepPolyPropagator).GetMethod("PropagateDeepPoly")!;
        Assert.Equal(DeepPolyInfo.Result.Replace("global::", ""), method.ReturnType.FullName);
    }
}
