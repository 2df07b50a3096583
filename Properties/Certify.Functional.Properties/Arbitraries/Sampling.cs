using static TorchSharp.torch;

namespace Certify.Functional.Properties.Arbitraries;

/// <summary>Points of the clamped input box [max(x − ε, 0), min(x + ε, 1)] in float64: the center x itself, uniform
/// samples, and vertices (all 2^d of them when d ≤ 6, random ones otherwise). Randomness from a torch generator
/// seeded by the case's FsCheck-drawn seed.</summary>
public static class Sampling
{
    /// <summary>Uniform samples per input.</summary>
    public const int Uniform = 40;
    /// <summary>Random vertices per input when the input has more than 6 elements.</summary>
    public const int RandomVertices = 40;

    /// <summary>[B, P, …input] float64 points for inputs <paramref name="x"/> [B, …input].</summary>
    public static Tensor Points(Tensor x, double eps, int seed)
    {
        using var g = new Generator((ulong)seed + 104729);
        var x64 = x.to(float64);
        var lo = (x64 - eps).clamp_min(0).unsqueeze(1);
        var hi = (x64 + eps).clamp_max(1).unsqueeze(1);
        long b = x.shape[0];
        long d = x[0].numel();
        var shape = x.shape[1..];
        var uniform = lo + (hi - lo) * rand([b, Uniform, .. shape], dtype: float64, generator: g);
        Tensor corners;
        if (d <= 6)
        {
            var bits = arange(1L << (int)d, dtype: int64).unsqueeze(1).bitwise_right_shift(arange(d, dtype: int64).unsqueeze(0)).bitwise_and(1);
            corners = bits.to(ScalarType.Bool).view([1, 1L << (int)d, .. shape]);
        }
        else corners = rand([b, RandomVertices, .. shape], dtype: float64, generator: g).lt(0.5);
        var vertices = where(corners, hi, lo);
        return cat([x64.unsqueeze(1), uniform, vertices.expand([b, vertices.shape[1], .. shape])], 1);
    }
}
