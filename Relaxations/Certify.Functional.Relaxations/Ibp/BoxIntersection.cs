using Certify.Functional.Bounds;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Ibp;

/// <summary>The intersection of two sound boxes of the same values (e.g. CROWN's and IBP's bounds of a ReLU input).</summary>
public static class BoxIntersection
{
    /// <summary>[max(l₁, l₂), min(u₁, u₂)], sound when both are. Where rounding makes the two disagree (the maximum of the
    /// lower sides above the minimum of the upper sides; impossible in exact arithmetic for two sound boxes) the result is
    /// widened to span both values rather than collapsed, so no neuron's interval is cut by the noise.</summary>
    public static Box Of(Box a, Box b)
    {
        var lower = maximum(a.Lower, b.Lower);
        var upper = minimum(a.Upper, b.Upper);
        return Box.FromBounds(minimum(lower, upper), maximum(lower, upper));
    }
}
