namespace Certify.Functional.Generators.Model;

/// <summary>The layer kinds the generator knows; mirrors <c>Certify.Functional.Layers.LayerKind</c> (a test
/// asserts the two agree).</summary>
internal enum LayerKind
{
    Normalize,
    Flatten,
    Dense,
    Conv2d,
    ReLU,
}
