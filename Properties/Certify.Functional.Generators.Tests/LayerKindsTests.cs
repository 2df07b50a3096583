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
        }
    }

    /// <summary>The generated walk calls <c>TTable.{LayerType}</c> for every kind: both relaxation tables declare one
    /// static member per layer kind under that name (plus the merged specification and the concretization).</summary>
    [Fact]
    public void Every_kind_is_a_member_of_both_relaxation_tables()
    {
        var kinds = LayerKinds.All.Select(k => k.LayerType).ToArray();
        static string[] Members(Type table) => table.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.IsAbstract).Select(m => m.Name).OrderBy(n => n).ToArray();
        Assert.Equal(kinds.Append("SpecDense").OrderBy(n => n), Members(typeof(Certify.Functional.Relaxations.Domains.IForwardRelaxations<,>)));
        Assert.Equal(kinds.Append("Concretize").OrderBy(n => n), Members(typeof(Certify.Functional.Relaxations.Domains.IBackwardRelaxations<,,>)));
    }
}
