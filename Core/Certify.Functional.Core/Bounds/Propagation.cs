namespace Certify.Functional.Bounds;

/// <summary>The result of propagating an element through a network: the concretized bounds at the input of every
/// ReLU (in layer order) and the output element (after the specification, when one is merged).</summary>
public sealed record Propagation<TElement>(IReadOnlyList<Box> PreActivation, TElement Output);
