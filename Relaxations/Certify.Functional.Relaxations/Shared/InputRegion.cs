using Certify.Functional.Bounds;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Shared;

/// <summary>The input region B(x, ε) = [max(x − ε, lo), min(x + ε, hi)] (relaxations.md §2, §3.2) in each domain's form.
/// Pixel space: the network's own Normalize layer comes after.</summary>
public static class InputRegion
{
    /// <summary>The clamped L∞ ball as a box: center (lo+hi)/2, radius (hi−lo)/2. x [B, …].</summary>
    public static Box Box(Tensor x, double eps, double min = 0, double max = 1)
    {
        var (lo, hi) = Corners(x, eps, min, max);
        return Box(lo, hi);
    }

    /// <summary>The box [lo, hi] (any corners, lo ≤ hi elementwise) in center–radius form, built exactly as the
    /// clamped ball's box is from its corners: center (lo+hi)/2, radius hi − center.</summary>
    public static Box Box(Tensor lo, Tensor hi)
    {
        var center = lerp(lo, hi, 0.5);                                           // (lo + hi)/2 in one operation
        return new Box(center, hi - center);
    }

    /// <summary>The exact corners lo = max(x − ε, min), hi = min(x + ε, max), [B, …] each.</summary>
    public static (Tensor Lower, Tensor Upper) Corners(Tensor x, double eps, double min = 0, double max = 1) =>
        ((x - eps).clamp_min_(min), (x + eps).clamp_max_(max));

    /// <summary>The box as a zonotope with one symbol per input element, kept diagonal (never an identity matrix).</summary>
    public static Zonotope Zonotope(Tensor x, double eps, double min = 0, double max = 1) => Zonotope(Box(x, eps, min, max));

    /// <summary>A box as a zonotope with one symbol per input element (diagonal).</summary>
    public static Zonotope Zonotope(Box box) => new(box.Center, Diagonal(box.Radius));

    /// <summary>The box as a hybrid zonotope: β = 0, one symbol per input element.</summary>
    public static HybridZonotope Hybrid(Tensor x, double eps, double min = 0, double max = 1) => Hybrid(Box(x, eps, min, max));

    /// <summary>A box as a hybrid zonotope: β = 0, one symbol per input element.</summary>
    public static HybridZonotope Hybrid(Box box) => new(box.Center, zeros_like(box.Radius), Diagonal(box.Radius));

    static ErrorTerms Diagonal(Tensor radius)
    {
        var flat = radius.flatten(1);
        return new ErrorTerms([new DiagonalBlock(arange(flat.shape[1], dtype: int64, device: radius.device), flat)]);
    }
}
