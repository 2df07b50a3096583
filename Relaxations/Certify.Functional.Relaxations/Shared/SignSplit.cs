using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Shared;

/// <summary>
/// The algebra shared by every linear-bound relaxation: a coefficient A acting on a quantity known only through a
/// lower and an upper linear (or constant) bound. For a lower bound of A·y with p_l ≤ y ≤ p_u elementwise,
/// A·y ≥ A⁺·p_l + A⁻·p_u; for an upper bound the roles swap. Done once, for every envelope (CROWN, its variants,
/// learned slopes) and for the input box.
/// </summary>
public static class SignSplit
{
    /// <summary>A⁺ ⊙ onPositive + A⁻ ⊙ onNegative (elementwise, broadcasting), for A [S, K, …] and factors [B, …]
    /// or [B, K, …].</summary>
    public static Tensor Combine(Tensor a, Tensor onPositive, Tensor onNegative) =>
        a.clamp_min(0) * onPositive + a.clamp_max(0) * onNegative;              // measured faster than a*where(a≥0, …)

    /// <summary>Σ over the neuron dimensions of A⁺ ⊙ p + A⁻ ⊙ n → [S or B, K]; null factors count as 0.</summary>
    public static Tensor? Sum(Tensor a, Tensor? onPositive, Tensor? onNegative)
    {
        if (onPositive is null && onNegative is null) return null;
        if (onPositive is null) return Contract(a.clamp_max(0), onNegative!);
        if (onNegative is null) return Contract(a.clamp_min(0), onPositive);
        return Contract(a.clamp_min(0), onPositive) + Contract(a.clamp_max(0), onNegative);
    }

    /// <summary>Σ over neurons of A⁺ ⊙ lo + A⁻ ⊙ hi written with center and radius: A·c − |A|·r (one |A| pass instead of
    /// two clamps; used for the input box, where lo ≤ hi).</summary>
    public static Tensor LowerOverBox(Tensor a, Tensor center, Tensor radius) => Contract(a, center) - Contract(a.abs(), radius);

    /// <summary>Σ over neurons of A⁺ ⊙ hi + A⁻ ⊙ lo = A·c + |A|·r.</summary>
    public static Tensor UpperOverBox(Tensor a, Tensor center, Tensor radius) => Contract(a, center) + Contract(a.abs(), radius);


    /// <summary>Σ over neurons of A ⊙ v: A [S, K, …n], v [B, …n] (one vector per example) → [B, K], as a product.</summary>
    public static Tensor Contract(Tensor a, Tensor v)
    {
        var flatA = a.flatten(2);                                               // [S, K, N]
        if (v.dim() == a.dim())                                                 // per-spec factors [B, K, …]
            return (flatA * v.flatten(2)).sum(2);
        var flatV = v.flatten(1);                                               // [B, N]
        return flatA.shape[0] == 1
            ? matmul(flatV, flatA[0].t())                                       // shared A: [B, N] × [N, K]
            : (flatA * flatV.unsqueeze(1)).sum(2);                              // per example: a batched matrix-vector
                                                                                // product is cheaper elementwise than as bmm
    }
}
