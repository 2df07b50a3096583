using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Verification;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Laws;

/// <summary>
/// Soundness of linear rows over any box (<see cref="Verifier.RowLower"/>, the bounds of a VNN-LIB property): for a box
/// [lo, hi] that is not a clamped ball — each side its own random width, some widths zero, no clamping to [0, 1] — and
/// random rows c_m (integers and small decimals, some all-zero), every point of the box (center, uniform samples, random
/// vertices; float64 reference forward pass) has c_m·f(x) ≥ the lower bound as computed (within the laws' tolerance),
/// and ≥ the bound minus its margin (<see cref="DifferenceMargin.OfRows"/>) with no tolerance at all: that is the value a
/// proof uses. On a point box (lo = hi) the bound equals c_m·f(x) within the tolerance (every domain listed is exact on
/// points except α-CROWN, whose slopes do not matter there either).
/// </summary>
public static class RowLaw
{
    /// <summary>Checks <paramref name="c"/> in <paramref name="domainName"/>; throws on the first violation.</summary>
    public static void Holds(string domainName, NetworkCase c)
    {
        var domain = SoundnessLaw.Parse(domainName);
        using var scope = NewDisposeScope();
        using var net = c.CreateNetwork();
        using var _ = no_grad();
        var x = c.Inputs();
        using var g = new Generator((ulong)c.Seed + 7919);
        long b = x.shape[0], k = net.Description.Output.Size, m = 1 + Math.Abs(c.Seed % 5);
        var below = rand(x.shape, generator: g) * c.Eps * rand(x.shape, generator: g).gt(0.2);   // some widths zero
        var above = rand(x.shape, generator: g) * c.Eps * rand(x.shape, generator: g).gt(0.2);
        var (lo, hi) = (x - below, x + above);
        var rows = (randint(-3, 4, [b, m, k], generator: g).to(float32) * (1 + rand([b, m, k], generator: g).lt(0.3) * 0.25));
        if (c.Seed % 7 == 0) rows.select(1, 0).zero_();                                         // sometimes an all-zero row
        string where = $"{domainName} on {c} (rows {m})";

        var lower = Verifier.RowLower(net, lo, hi, rows, domain);                              // [B, M]
        var proof = lower.to(float64) - DifferenceMargin.OfRows(net, lo, hi, rows).to(float64);

        var points = BoxPoints(lo, hi, g);                                                     // [B, P, …]
        long p = points.shape[1];
        var logits = Float64Reference.Forward(net, points.flatten(0, 1)).Logits.view(b, p, k);
        var values = matmul(logits, rows.to(float64).transpose(1, 2));                         // [B, P, M]
        Tolerance.AtLeast($"{where}: c·f(x) vs the bound as computed", lower, values);
        var below0 = (proof.unsqueeze(1) - values).amax();
        if (below0.item<double>() > 0)
            throw new Xunit.Sdk.XunitException($"{where}: the bound minus its margin exceeds c·f(x) at a point of the box by {below0.item<double>():G6} (no tolerance applies here).");

        var point = Verifier.RowLower(net, x, x, rows, domain);
        var exact = matmul(Float64Reference.Forward(net, x).Logits.unsqueeze(1), rows.to(float64).transpose(1, 2)).squeeze(1);
        Tolerance.Equal($"{where}: point box", point.to(float64), exact);
    }

    // Center, 40 uniform samples and 40 random vertices of [lo, hi], float64, [B, P, …].
    static Tensor BoxPoints(Tensor lo, Tensor hi, Generator g)
    {
        var (l, h) = (lo.to(float64).unsqueeze(1), hi.to(float64).unsqueeze(1));
        long[] shape = [lo.shape[0], Sampling.Uniform, .. lo.shape[1..]];
        var uniform = l + (h - l) * rand(shape, dtype: float64, generator: g);
        var vertices = where(rand(shape, dtype: float64, generator: g).lt(0.5), h, l);
        return cat([(l + h) / 2, uniform, vertices], 1);
    }
}
