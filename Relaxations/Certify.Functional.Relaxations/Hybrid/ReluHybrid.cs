using Certify.Functional.Bounds;
using Certify.Functional.Relaxations.Shared;

namespace Certify.Functional.Relaxations.Hybrid;

/// <summary>
/// hBox family, ReLU (relaxations.md §3.4): h' = λh + μ, β' = λβ + μ, E' = λE — the new uncertainty μ goes into the
/// independent box part instead of new symbols. Sound: relu(x) ∈ λx + [0, 2μ] on [l, u] and λ ≥ 0.
/// With the "box" rule this is hBox / symbolic intervals; with DeepZ slopes hZono.
/// </summary>
public static class ReluHybrid
{
    /// <summary>The image of <paramref name="x"/> under ReLU, given enclosing pre-activation <paramref name="bounds"/>.</summary>
    public static HybridZonotope Propagate(ZonotopeOptions options, HybridZonotope x, Box bounds)
    {
        var c = ReluRules.Coefficients(options, bounds.Lower, bounds.Upper);
        return new(c.Lambda * x.Center + c.Mu, c.Lambda * x.Beta + c.Mu, ErrorMaps.Scale(x.Errors, c.Lambda));
    }
}
