using System.Linq;

namespace Certify.Functional.Generators.Model;

/// <summary>A valid declared network: everything the emitter needs, as plain values.</summary>
/// <param name="Hierarchy">Namespace and enclosing types of the class.</param>
/// <param name="TypeName">The class name.</param>
/// <param name="Name">The network's registry name (<c>[Network("FC-SMALL")]</c>, or the class name).</param>
/// <param name="Input">Shape of one input example.</param>
/// <param name="Layers">The layers in declaration order, with shapes.</param>
internal sealed record NetworkSpec(HierarchyInfo Hierarchy, string TypeName, string Name, ShapeSpec Input, EquatableArray<LayerSpec> Layers)
{
    /// <summary>Trainable parameters, exactly as Core's <c>NetworkDescription.ParameterCount</c>.</summary>
    public long ParameterCount => Layers.Sum(l => l.ParameterCount);

    /// <summary>Shape of one output.</summary>
    public ShapeSpec Output => Layers.Count == 0 ? Input : Layers[Layers.Count - 1].Output;
}
