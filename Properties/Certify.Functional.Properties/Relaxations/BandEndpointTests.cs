using Certify.Functional.Bounds;
using Certify.Functional.Relaxations.DeepPoly;
using Certify.Functional.Relaxations.Shared;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Relaxations;

/// <summary>
/// The ReLU relaxations' lines at the ends of [l, u], in float64 and without tolerance: the reference's formulas carry
/// a +1e−6 (DeepZ slope) or +1e−9 (CROWN chord) in the denominator, and with its offsets −l·λ*/2 and −u·l/(u − l + 1e−9)
/// the band's top passes below relu(u) by u·1e−6/(u − l + 1e−6) (5e−7 for l = −u = −0.05), the soft-slope band likewise
/// for λ* &lt; s &lt; u/(u − l). The offsets here are taken from the point (u, u), which keeps every band above ReLU
/// (checked to float64 rounding).
/// </summary>
public sealed class BandEndpointTests : TorchTest
{
    // float64 rounding of the lines' own arithmetic (1e−12·(1 + |v|)): far below the reference's misses (≥ 1e−10 here).
    static Tensor Float64(Tensor v) => v.abs().mul(1e-12).add(1e-12);

    static readonly double[] Lows = [-1e-4, -0.01, -0.05, -0.5, -2, -30];
    static readonly double[] Highs = [1e-4, 0.01, 0.05, 0.7, 3, 40];

    static (Tensor L, Tensor U) Grid()
    {
        var pairs = Lows.SelectMany(l => Highs.Select(u => (l, u))).ToArray();
        return (tensor(pairs.Select(p => p.l).ToArray(), dtype: float64), tensor(pairs.Select(p => p.u).ToArray(), dtype: float64));
    }

    [Theory]
    [InlineData(ZonoRelu.DeepZ, 1.0)]
    [InlineData(ZonoRelu.Soft, 0.5)]
    [InlineData(ZonoRelu.Soft, 1.0)]
    [InlineData(ZonoRelu.Soft, 5.0)]
    [InlineData(ZonoRelu.Soft, 50.0)]
    [InlineData(ZonoRelu.Switch, 1.0)]
    public void Zonotope_band_contains_relu_at_both_ends(ZonoRelu relu, double gamma)
    {
        using var scope = NewDisposeScope();
        var (l, u) = Grid();
        var c = ReluRules.Coefficients(new ZonotopeOptions(relu, gamma), l, u);
        foreach (var (x, name) in new[] { (l, "l"), (u, "u"), (zeros_like(l), "0") })
        {
            var bottom = c.Lambda * x;
            var top = bottom + 2 * c.Mu;
            var y = x.relu();
            Assert.True(bottom.le(y).all().item<bool>(), $"{relu} γ={gamma}: λx > relu(x) at x = {name}");
            Assert.True((top + Float64(y)).ge(y).all().item<bool>(), $"{relu} γ={gamma}: λx + 2μ < relu(x) at x = {name}, worst {(y - top).max().item<double>():E3}");
        }
    }

    [Fact]
    public void Crown_chord_is_above_relu_at_both_ends()
    {
        using var scope = NewDisposeScope();
        var (l, u) = Grid();
        var e = CrownEnvelopes.Compute(new CrownOptions(), Box.FromBounds(l, u));
        foreach (var (x, name) in new[] { (l, "l"), (u, "u") })
        {
            var top = e.LambdaUpper * x + e.MuUpper!;
            Assert.True((top + Float64(x.relu())).ge(x.relu()).all().item<bool>(), $"chord below relu(x) at x = {name}, worst {(x.relu() - top).max().item<double>():E3}");
        }
    }
}
