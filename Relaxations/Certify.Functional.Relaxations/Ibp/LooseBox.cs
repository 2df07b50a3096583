using Certify.Functional.Bounds;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Ibp;

/// <summary>
/// Loose parametrized Box (relaxations.md §3.12, the paper's Table 4), applied to the element before every ReLU.
/// Widen ("C"): [l − ω, u + ω]. Round ("DC"): l' = l − ω(⌈Wl⌉ − Wl), u' = u + ω(Wu − ⌊Wu⌋): a sawtooth widening in
/// [0, ω) with W jumps per unit. Both only enlarge the interval, so they stay sound. ⌈·⌉ and ⌊·⌋ have zero
/// gradient, hence ∂l'/∂l = ∂u'/∂u = 1 + ωW between jumps, as in the reference.
/// </summary>
public static class LooseBox
{
    /// <summary>The loosened box (a fresh element); the input itself when <paramref name="loosening"/> is null.</summary>
    public static Box Apply(Loosening? loosening, Box x)
    {
        switch (loosening)
        {
            case Widen w:
                return new Box(x.Center.alias(), x.Radius + w.Omega);
            case Round r:
                var (l, u) = (x.Lower, x.Upper);
                var wl = l * r.PerUnit;
                var wu = u * r.PerUnit;
                return Box.FromBounds(l - r.Omega * (wl.ceil() - wl), u + r.Omega * (wu - wu.floor()));
            default:
                return x;
        }
    }
}
