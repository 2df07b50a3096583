using Certify.Functional.Properties.Laws;
using Certify.Functional.Analysis;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Analysis;

/// <summary><see cref="EnvelopeCurves"/>: every sound domain's single-ReLU envelope lies between ReLU's lower and upper
/// lines on [l, u] (tol 1e−5·(1 + relu(x)), which covers the reference's 1e−6 in DeepZ's slope); known shapes.</summary>
[Collection(LawCollection.Name)]
public sealed class EnvelopeCurveProperties : TorchTest
{
    /// <summary>(domain, l, u): l, u on a 1e−3 grid in [−10, 10] with exact l = 0, u = 0 and l = u; every sound table domain.</summary>
    static readonly Arbitrary<(string Domain, double Lower, double Upper)> Cases =
        (from domain in Gen.Elements(ContinuityTheory.TableDomains.Where(d => d != "zdiag-c-unsound").ToArray())
         from pair in Gen.Frequency(
             (1, Gen.Choose(0, 10_000).Select(k => (0.0, k / 1000.0))),
             (1, Gen.Choose(-10_000, 0).Select(k => (k / 1000.0, 0.0))),
             (1, Gen.Choose(-10_000, 10_000).Select(k => (k / 1000.0, k / 1000.0))),
             (6, from a in Gen.Choose(-10_000, 10_000) from b in Gen.Choose(-10_000, 10_000)
                 select (Math.Min(a, b) / 1000.0, Math.Max(a, b) / 1000.0)))
         select (domain, pair.Item1, pair.Item2)).ToArbitrary();

    [Property(MaxTest = 500, QuietOnSuccess = true, Replay = "(31415926,27182817)")]
    public Property Envelope_brackets_relu() => Prop.ForAll(Cases, c =>
    {
        var curve = EnvelopeCurves.For(Domain.Parse(c.Domain).ThrowIfFail(), c.Lower, c.Upper, 21);
        for (int i = 0; i < curve.X.Length; i++)
        {
            double relu = Math.Max(curve.X[i], 0), tol = 1e-5 * (1 + relu);
            foreach (var line in curve.LowerLines)
                Assert.True(line[i] <= relu + tol, $"{c}: lower {line[i]:R} > relu {relu:R} at x = {curve.X[i]:R}");
            foreach (var line in curve.UpperLines)
                Assert.True(line[i] >= relu - tol, $"{c}: upper {line[i]:R} < relu {relu:R} at x = {curve.X[i]:R}");
        }
        Assert.Equal(c.Lower == c.Upper ? 1 : 21, curve.X.Length);
        Assert.Equal(c.Lower, curve.X[0]);
        Assert.Equal(c.Upper, curve.X[^1]);
    });

    [Fact]
    public void Known_shapes_on_a_crossing_neuron()
    {
        using var scope = NewDisposeScope();
        // l = −1, u = 3 at x = −1, 0, 1, 2, 3.
        var box = EnvelopeCurves.For(Domain.Box, -1, 3, 5);
        Assert.Equal(new double[] { 0, 0, 0, 0, 0 }, box.LowerEnvelope);
        Assert.Equal(new double[] { 3, 3, 3, 3, 3 }, box.UpperEnvelope);
        var hbox = EnvelopeCurves.For(Domain.HBox, -1, 3, 5);
        Assert.Equal(box.LowerEnvelope, hbox.LowerEnvelope);
        Assert.Equal(box.UpperEnvelope, hbox.UpperEnvelope);
        var deepz = EnvelopeCurves.For(Domain.DeepZ, -1, 3, 5);                         // slope 3/4 (+1e−6), offset 2μ = 3/4
        Assert.Equal(new[] { -0.75, 0, 0.75, 1.5, 2.25 }, deepz.LowerEnvelope.Select(v => Math.Round(v, 5)).ToArray());
        Assert.Equal(new[] { 0, 0.75, 1.5, 2.25, 3 }, deepz.UpperEnvelope.Select(v => Math.Round(v, 5)).ToArray());
        var crown = EnvelopeCurves.For(Domain.DeepPoly, -1, 3, 5);                      // u ≥ −l: lower slope 1; chord 3/4(x + 1)
        Assert.Equal(new double[] { -1, 0, 1, 2, 3 }, crown.LowerEnvelope.Select(v => Math.Round(v, 6)).ToArray());
        Assert.Equal(new[] { 0, 0.75, 1.5, 2.25, 3 }, crown.UpperEnvelope.Select(v => Math.Round(v, 6)).ToArray());
        var triangle = EnvelopeCurves.For(Domain.TriangleLp, -1, 3, 5);
        Assert.Equal(2, triangle.LowerLines.Count);
        Assert.Equal(new double[] { 0, 0, 1, 2, 3 }, triangle.LowerEnvelope.Select(v => Math.Round(v, 6)).ToArray());
        Assert.Equal(crown.UpperEnvelope, triangle.UpperEnvelope);
    }

    [Fact]
    public void The_defective_diag_c_is_a_single_line_that_misses_relu_on_dead_neurons()
    {
        // relaxations.md §3.4: l = −10, u = −6 ⇒ y = x + 5 ∈ [−5, −1], excluding relu = 0.
        var curve = EnvelopeCurves.For(Domain.Parse("zdiag-c-unsound").ThrowIfFail(), -10, -6, 3);
        Assert.Equal(new double[] { -5, -3, -1 }, curve.LowerEnvelope);
        Assert.Equal(curve.LowerEnvelope, curve.UpperEnvelope);
        var sound = EnvelopeCurves.For(Domain.Parse("zdiag-c").ThrowIfFail(), -10, -6, 3);
        Assert.Equal(new double[] { -10, -8, -6 }, sound.LowerEnvelope);
        Assert.Equal(new double[] { 0, 2, 4 }, sound.UpperEnvelope);
    }
}
