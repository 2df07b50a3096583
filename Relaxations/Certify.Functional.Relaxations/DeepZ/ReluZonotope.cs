using Certify.Functional.Bounds;
using Certify.Functional.Relaxations.Shared;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.DeepZ;

/// <summary>
/// DeepZ family, ReLU (Singh et al. 2018; relaxations.md §3.4): h' = λh + μ, E' = λE, plus one new noise symbol with
/// coefficient μ per neuron position that needs one in any example of the batch (coefficient 0 elsewhere; kept
/// diagonal). Sound: relu(x) ∈ λx + [0, 2μ] on [l, u], and the new symbol spans exactly that band.
/// <c>bounds</c> are the pre-activation bounds used for the case split: the element's own
/// concretization, or IBP bounds for zono-ibp (any enclosing bounds keep it sound).
/// </summary>
public static class ReluZonotope
{
    /// <summary>The image of <paramref name="x"/> [B, …] under ReLU.</summary>
    public static Zonotope Propagate(ZonotopeOptions options, Zonotope x, Box bounds)
    {
        var c = ReluRules.Coefficients(options, bounds.Lower, bounds.Upper);
        var scaled = ErrorMaps.Scale(x.Errors, c.Lambda);
        var positions = c.NewNoise.flatten(1).any(0).nonzero().flatten();         // [k]
        if (positions.shape[0] == 0) return new(c.Lambda * x.Center + c.Mu, scaled);
        var coefficients = (c.Mu * c.NewNoise.to(c.Mu.dtype)).flatten(1).index_select(1, positions);
        return new(c.Lambda * x.Center + c.Mu,
            new ErrorTerms([.. scaled.Blocks, new DiagonalBlock(positions, coefficients)]));
    }
}
