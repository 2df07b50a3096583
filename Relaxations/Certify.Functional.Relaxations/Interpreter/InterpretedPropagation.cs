using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.DeepZ;
using Certify.Functional.Relaxations.Hybrid;
using Certify.Functional.Relaxations.Ibp;
using Certify.Functional.Relaxations.Shared;

namespace Certify.Functional.Relaxations.Interpreter;

/// <summary>
/// Bound propagation for any <see cref="NetworkModule"/> by walking its layer list: the path of networks loaded
/// from files, and the reference the generated straight-line code is tested against. Same modules, same order:
/// the specification is merged into a final Dense layer, or applied as a layer of its own otherwise.
/// </summary>
public static class InterpretedPropagation
{
    /// <summary>Box propagation; the loosening (if any) is applied before every ReLU and recorded as its bounds.</summary>
    public static Propagation<Box> PropagateBox(NetworkModule net, Box input, BoxOptions options, Spec spec)
    {
        var pre = new List<Box>();
        var x = input;
        foreach (var layer in net.Description.Layers)
        {
            x = layer.Declaration.Kind switch
            {
                LayerKind.Normalize => NormalizeBox.Propagate(net.NormalizeAt(layer.Index), x),
                LayerKind.Flatten => FlattenBox.Propagate(Flatten.Instance, x),
                LayerKind.Dense => IsLast(net, layer) ? SpecDenseBox.Propagate(net.DenseAt(layer.Index), x, spec) : DenseBox.Propagate(net.DenseAt(layer.Index), x),
                LayerKind.Conv2d => Conv2dBox.Propagate(net.Conv2dAt(layer.Index), x),
                LayerKind.ReLU => ReluBox.Propagate(Relu.Instance, Record(pre, LooseBox.Apply(options.Loosening, x))),
                _ => throw Unknown(layer),
            };
        }
        return new(pre, SpecAfter(net, spec) is { } c ? DenseBox.Propagate(c, x) : x);
    }

    /// <summary>Zonotope propagation (DeepZ family).</summary>
    public static Propagation<Zonotope> PropagateZonotope(NetworkModule net, Zonotope input, ZonotopeOptions options, Spec spec, IReadOnlyList<Box>? reluBounds)
    {
        var pre = new List<Box>();
        var x = input;
        foreach (var layer in net.Description.Layers)
        {
            x = layer.Declaration.Kind switch
            {
                LayerKind.Normalize => NormalizeZonotope.Propagate(net.NormalizeAt(layer.Index), x),
                LayerKind.Flatten => FlattenZonotope.Propagate(Flatten.Instance, x),
                LayerKind.Dense => DenseZonotope.Propagate(DenseOrSpec(net, layer, spec), x),
                LayerKind.Conv2d => Conv2dZonotope.Propagate(net.Conv2dAt(layer.Index), x),
                LayerKind.ReLU => ReluZonotope.Propagate(options, x, Record(pre, reluBounds?[pre.Count] ?? x.Concretize())),
                _ => throw Unknown(layer),
            };
        }
        return new(pre, SpecAfter(net, spec) is { } c ? DenseZonotope.Propagate(c, x) : x);
    }

    /// <summary>Hybrid-zonotope propagation (hBox family).</summary>
    public static Propagation<HybridZonotope> PropagateHybrid(NetworkModule net, HybridZonotope input, ZonotopeOptions options, Spec spec)
    {
        var pre = new List<Box>();
        var x = input;
        foreach (var layer in net.Description.Layers)
        {
            x = layer.Declaration.Kind switch
            {
                LayerKind.Normalize => NormalizeHybrid.Propagate(net.NormalizeAt(layer.Index), x),
                LayerKind.Flatten => FlattenHybrid.Propagate(Flatten.Instance, x),
                LayerKind.Dense => DenseHybrid.Propagate(DenseOrSpec(net, layer, spec), x),
                LayerKind.Conv2d => Conv2dHybrid.Propagate(net.Conv2dAt(layer.Index), x),
                LayerKind.ReLU => ReluHybrid.Propagate(options, x, Record(pre, x.Concretize())),
                _ => throw Unknown(layer),
            };
        }
        return new(pre, SpecAfter(net, spec) is { } c ? DenseHybrid.Propagate(c, x) : x);
    }

    static Box Record(List<Box> pre, Box bounds) { pre.Add(bounds); return bounds; }

    static bool EndsWithDense(NetworkModule net) =>
        net.Description.Layers.Count > 0 && net.Description.Layers[^1].Declaration.Kind == LayerKind.Dense;

    static bool IsLast(NetworkModule net, ResolvedLayer layer) => layer.Index == net.Description.Layers.Count - 1;

    static Dense DenseOrSpec(NetworkModule net, ResolvedLayer layer, Spec spec) =>
        IsLast(net, layer) ? SpecLayer.Merge(net.DenseAt(layer.Index), spec) : net.DenseAt(layer.Index);

    static Dense? SpecAfter(NetworkModule net, Spec spec) =>
        EndsWithDense(net) ? null : SpecLayer.AsLayer(spec, net);

    static InvalidOperationException Unknown(ResolvedLayer layer) =>
        new($"Layer {layer.Index}: no relaxation for {layer.Declaration.Kind}.");
}
