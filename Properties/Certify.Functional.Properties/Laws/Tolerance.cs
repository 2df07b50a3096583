using System.Globalization;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Laws;

/// <summary>Containment and equality checks with tol = 1e-5·(1 + |v|) (float32 bounds against a float64 reference
/// value v). A violation throws with what, where and by how much, which FsCheck reports (and shrinks).</summary>
public static class Tolerance
{
    /// <summary>The tolerance for reference values <paramref name="v"/> (float64).</summary>
    public static Tensor Of(Tensor v) => v.abs().mul(1e-5).add(1e-5);

    /// <summary>Every value [B, P, n] ≥ lower [B, n] − tol(value) (<paramref name="lower"/> may be null).</summary>
    public static void AtLeast(string what, Tensor? lower, Tensor values)
    {
        if (lower is null) return;
        var l = lower.to(float64).unsqueeze(1);
        var gap = l - Of(values) - values;                           // > 0 is a violation
        Fail(what, "below the lower bound", gap, l.expand_as(values), values);
    }

    /// <summary>Every value [B, P, n] ≤ upper [B, n] + tol(value).</summary>
    public static void AtMost(string what, Tensor? upper, Tensor values)
    {
        if (upper is null) return;
        var u = upper.to(float64).unsqueeze(1);
        var gap = values - Of(values) - u;
        Fail(what, "above the upper bound", gap, u.expand_as(values), values);
    }

    /// <summary>inner ⊆ outer up to tol: outer.lower ≤ inner.lower + tol and inner.upper ≤ outer.upper + tol
    /// (tol relative to the inner bound, or to <paramref name="magnitude"/> when larger: the sizes an outer value that is
    /// a difference of two float32 bounds was computed from). Either side may be null (one-sided).</summary>
    public static void Inside(string what, Tensor? innerLower, Tensor? innerUpper, Tensor? outerLower, Tensor? outerUpper, Tensor? magnitude = null)
    {
        if (innerLower is not null && outerLower is not null)
        {
            var il = innerLower.to(float64);
            var tol = Of(magnitude is null ? il : maximum(il.abs(), magnitude.to(float64)));
            Fail(what, "inner lower bound below the outer one", (outerLower.to(float64) - tol - il).unsqueeze(1), outerLower.to(float64).unsqueeze(1), il.unsqueeze(1));
        }
        if (innerUpper is not null && outerUpper is not null)
        {
            var iu = innerUpper.to(float64);
            Fail(what, "inner upper bound above the outer one", (iu - Of(iu) - outerUpper.to(float64)).unsqueeze(1), outerUpper.to(float64).unsqueeze(1), iu.unsqueeze(1));
        }
    }

    /// <summary>|actual − expected| ≤ tol(expected) elementwise (shapes broadcast).</summary>
    public static void Equal(string what, Tensor actual, Tensor expected)
    {
        var e = expected.to(float64);
        var a = actual.to(float64);
        Fail(what, "differs from the exact value", ((a - e).abs() - Of(e)).unsqueeze(1), e.unsqueeze(1), a.unsqueeze(1));
    }

    /// <summary>Representation invariant: every element ≥ 0 (exactly, no tolerance).</summary>
    public static void NonNegative(string what, Tensor t)
    {
        var bad = t.lt(0).sum().item<long>();
        if (bad > 0) throw new Xunit.Sdk.XunitException($"{what}: {bad} negative entries (min {t.min().to(float64).item<double>().ToString("R", CultureInfo.InvariantCulture)}).");
    }

    // gap, bound, value: [B, P, n] (broadcastable); throws on the worst gap > 0.
    static void Fail(string what, string how, Tensor gap, Tensor bound, Tensor value)
    {
        if (gap.numel() == 0) return;
        var worst = gap.max().item<double>();
        if (!(worst > 0) && !double.IsNaN(worst)) return;
        var flat = gap.broadcast_to(gap.shape).reshape(-1);
        long at = flat.argmax().item<long>();
        long n = gap.shape[^1], p = gap.shape[1];
        long neuron = at % n, point = at / n % p, example = at / n / p;
        var b = bound.broadcast_to(gap.shape).reshape(-1)[at].item<double>();
        var v = value.broadcast_to(gap.shape).reshape(-1)[at].item<double>();
        throw new Xunit.Sdk.XunitException(string.Create(CultureInfo.InvariantCulture,
            $"{what}: {how} at example {example}, point {point}, index {neuron}: bound {b:R}, value {v:R}, excess over tol {worst:R}."));
    }
}
