using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Properties.Laws;
using Certify.Functional.Properties.Triangle;
using Certify.Functional.Analysis;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification;
using FsCheck;
using FsCheck.Xunit;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Analysis;

/// <summary>
/// The tightness family on small random Dense networks (<see cref="TriangleArbitraries"/>; the LP is slow, so few cases):
/// the two-sided specification bounds contain sampled z_y − z_j; the width ratio of the triangle LP to itself is 1 and to
/// every other relaxation is in (0, 1] (per entry: the LP's width exceeds the relaxation's by at most the house tolerance
/// 1e−5·(1 + |bound|) on each of that entry's two bounds); the margin and the proxy are what their docs say; weights are
/// restored bit for bit.
/// </summary>
[Collection(LawCollection.Name)]
[Properties(Arbitrary = [typeof(TriangleArbitraries)], MaxTest = 100, QuietOnSuccess = true, Replay = "(2718281828,1618033989)")]
public sealed class TightnessProperties : TorchTest
{
    static readonly string[] Relaxations = ["box", "hbox", "zono", "zbox", "hswitch", "deeppoly", "deeppoly:0-c", "crown-ibp", "alpha-crown:steps=5"];

    [Property]
    public void Width_ratios_are_one_for_the_lp_and_at_most_one_otherwise(NetworkCase c)
    {
        using var scope = NewDisposeScope();
        using var net = c.CreateNetwork();
        var (x, y) = (c.Inputs(), c.Labels());
        var before = TinyNetworks.Bits(net);
        var lp = Tightness.Measure(net, x, y, c.Eps, Domain.TriangleLp);
        Assert.Equal(1.0, Tightness.WidthRatio(lp, lp));
        bool lpMoves = lp.Width.SelectMany(w => w).Any(w => w > 0);
        var points = Sampling.Points(x, c.Eps, c.Seed);
        long b = points.shape[0], p = points.shape[1];
        var logits = Float64Reference.Forward(net, points.flatten(0, 1)).Logits.view(b, p, -1);
        var differences = matmul(logits, Bounds.Spec.DiffMatrix(y, (int)logits.shape[2]).to(float64).transpose(1, 2));   // [B, P, K−1]
        foreach (var name in Relaxations.Append("triangle-lp"))
        {
            var widths = name == "triangle-lp" ? lp : Tightness.Measure(net, x, y, c.Eps, Domain.Parse(name).ThrowIfFail());
            string where = $"{name} on {c}";
            Tolerance.AtLeast($"{where}: lower of z_y − z_j", tensor(widths.Lower.SelectMany(r => r).ToArray()).view(b, -1), differences);
            Tolerance.AtMost($"{where}: upper of z_y − z_j", tensor(widths.Upper.SelectMany(r => r).ToArray()).view(b, -1), differences);
            double ratio = Tightness.WidthRatio(lp, widths);
            // Per entry, each with its own slack: the LP's width is at most this relaxation's plus the house tolerance on the
            // entry's two bounds, 1e−5·(1 + |l|) + 1e−5·(1 + |u|) (i.e. width ratio ≤ 1 + that tolerance / width, also where
            // the width is 0); a large entry elsewhere in the case does not widen the slack of a small one.
            var (lpWidth, width) = (lp.Width, widths.Width);
            var entryRatios = new List<double>();
            for (int i = 0; i < width.Length; i++)
                for (int j = 0; j < width[i].Length; j++)
                {
                    double l = widths.Lower[i][j], u = widths.Upper[i][j], w = width[i][j];
                    double tolerance = 1e-5 * (2 + Math.Abs(l) + Math.Abs(u));
                    if (!(lpWidth[i][j] <= w + tolerance))
                        Assert.Fail($"{where}: entry ({i}, {j}): LP width {lpWidth[i][j]:R} > width {w:R} + slack {tolerance:R} (bounds [{l:R}, {u:R}])");
                    // WidthRatio's documented convention: an entry whose width is at float32 noise counts as 1.
                    entryRatios.Add(w <= 1e-5 * (1 + Math.Abs(l) + Math.Abs(u)) ? 1.0 : lpWidth[i][j] / w);
                }
            Assert.Equal(entryRatios.Average(), ratio, 12);                 // the width ratio is the mean of the per-entry ratios
            Assert.True(lpMoves ? ratio > 0 : ratio >= 0, $"{where}: width ratio {ratio:R}");
            using var noGrad = no_grad();                                   // as Measure runs (α-CROWN returns its tracked best values)
            var direct = Verifier.Bounds(net, x, y, c.Eps, Domain.Parse(name).ThrowIfFail()).DiffLower.detach().to(float64);
            Assert.Equal(direct.min(1).values.mean().item<double>(), widths.MeanCertifiedMargin, 12);
        }
        Assert.Equal(before, TinyNetworks.Bits(net));
    }

    [Fact]
    public void Proxy_and_score_follow_their_formulas()
    {
        var a = new SpecWidths("a", [[0, -1], [1, 1]], [[2, 1], [2, 5]]);          // widths [[2, 2], [1, 4]]
        var b = new SpecWidths("b", [[0, 0]], [[1, 3]]);                           // widths [[1, 3]]
        Assert.Equal(0.0, a.MeanCertifiedMargin);                                 // (min(0, −1) + min(1, 1)) / 2
        Assert.Equal(2.25, a.MeanWidth);
        Assert.Equal((1 / 2.0 + 1 / 2.5) / 2, a.InverseWidth, 15);
        Assert.Equal((1 / 2.0 + 1 / 2.5 + 1 / 2.0) / 3, Tightness.Score([a, b]), 15);
        Assert.Equal((1.0 + 0.5 + 1 + 1 / 4.0) / 4, Tightness.WidthRatio(new SpecWidths("r", [[0, 0], [0, 0]], [[2, 1], [1, 1]]), a), 15);
        Assert.Throws<ArgumentException>(() => Tightness.WidthRatio(a, b));
    }
}
