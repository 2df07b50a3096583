using Certify.Functional.Layers;

namespace Certify.Functional.Relaxations;

/// <summary>One layer kind in one domain: a pure map from an input element to an output element.
/// Implementations are stateless static modules (Relaxations/{Domain}/{LayerKind}{Domain}.cs); they never open
/// dispose scopes, never dispose their input and always return fresh tensors (the caller's scope owns them).</summary>
/// <typeparam name="TLayer">The layer value (<see cref="Dense"/>, <see cref="Relu"/>, …).</typeparam>
/// <typeparam name="TBound">The domain's element (a point tensor for the concrete domain, a Box, …).</typeparam>
public interface IRelaxation<in TLayer, TBound> where TLayer : ILayer
{
    /// <summary>The image of <paramref name="input"/> under <paramref name="layer"/> in this domain.</summary>
    static abstract TBound Propagate(TLayer layer, TBound input);
}
