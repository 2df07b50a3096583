using Certify.Functional.Bounds;
using Certify.Functional.Relaxations.DeepPoly;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Relaxations.Ibp;
using Certify.Functional.Relaxations.Shared;
using static TorchSharp.torch;

namespace Certify.Functional.Analysis;

/// <summary>The single-ReLU relaxation of a domain on [l, u], sampled for plotting: the region
/// max_k LowerLines[k](x) ≤ y ≤ min_k UpperLines[k](x).</summary>
/// <param name="Domain">The domain name.</param>
/// <param name="Lower">l.</param>
/// <param name="Upper">u.</param>
/// <param name="X">Sample points, equally spaced on [l, u] (both ends included; a single point when l = u).</param>
/// <param name="LowerLines">Lower bounding lines at <see cref="X"/> (one for most domains; two, slopes 0 and 1, for the
/// triangle family, where every slope in between is valid too).</param>
/// <param name="UpperLines">Upper bounding lines at <see cref="X"/>.</param>
public sealed record EnvelopeCurve(string Domain, double Lower, double Upper, double[] X, IReadOnlyList<double[]> LowerLines, IReadOnlyList<double[]> UpperLines)
{
    /// <summary>The lower boundary: pointwise max of <see cref="LowerLines"/>.</summary>
    public double[] LowerEnvelope => X.Select((_, i) => LowerLines.Max(line => line[i])).ToArray();

    /// <summary>The upper boundary: pointwise min of <see cref="UpperLines"/>.</summary>
    public double[] UpperEnvelope => X.Select((_, i) => UpperLines.Min(line => line[i])).ToArray();
}

/// <summary>
/// Curves of each domain's ReLU transformer for given pre-activation bounds, computed by the relaxation modules themselves
/// (no formula re-derived here), in float64: Box and loose Box — <see cref="LooseBox"/> then <see cref="ReluBox"/>, the
/// constant lines relu(l′), relu(u′); zonotope and hybrid families — <see cref="ReluRules"/>, the band λx + [0, 2μ] (in the
/// zonotope family a shifted neuron without a fresh noise symbol, i.e. the unsound <c>zdiag-c-unsound</c> on dead neurons,
/// is the single line λx + μ); CROWN / DeepPoly / CROWN-IBP and variants — <see cref="CrownEnvelopes"/>, λ_l x + μ_l and
/// λ_u x + μ_u; α-CROWN, iclr2021 and the triangle LP — the triangle: CROWN's chord above, lower lines of slope 0 and 1
/// (any slope between is valid; these domains choose per neuron by optimisation). Each call is a unit of work with its own
/// dispose scope; only arrays leave.
/// </summary>
public static class EnvelopeCurves
{
    /// <summary>The curve of <paramref name="domain"/> on [<paramref name="lower"/>, <paramref name="upper"/>] at
    /// <paramref name="points"/> points.</summary>
    /// <exception cref="ArgumentException">Non-finite or reversed bounds, or fewer than 2 points.</exception>
    public static EnvelopeCurve For(Domain domain, double lower, double upper, int points)
    {
        if (!double.IsFinite(lower) || !double.IsFinite(upper) || lower > upper || points < 2)
            throw new ArgumentException($"Envelope on [{lower}, {upper}] with {points} points: need finite l ≤ u and at least 2 points.");
        var xs = lower == upper ? [lower] : Grid.Linspace(lower, upper, points);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var l = tensor(new[] { lower }, dtype: float64).unsqueeze(0);                     // [1, 1]: one example, one neuron
        var u = tensor(new[] { upper }, dtype: float64).unsqueeze(0);
        var x = tensor(xs, dtype: float64).unsqueeze(0);                                  // [1, P]
        double[] Line(Tensor slope, Tensor? offset) => (slope * x + (offset ?? zeros_like(slope))).flatten().data<double>().ToArray();
        (IReadOnlyList<double[]> Lower, IReadOnlyList<double[]> Upper) lines = domain switch
        {
            IbpDomain b => Box(b, l, u, Line),
            ZonotopeDomain z => Band(z.Options, l, u, singleLineWithoutNoise: true, Line),
            HybridDomain h => Band(h.Options, l, u, singleLineWithoutNoise: false, Line),
            DeepPolyDomain d => Crown(CrownEnvelopes.Compute(d.Options, Bounds.Box.FromBounds(l, u)), Line),
            AlphaCrownDomain or Iclr2021Domain or TriangleLpDomain => Triangle(l, u, Line),
            _ => throw new ArgumentException($"Domain '{domain.Name}' has no single-ReLU envelope.", nameof(domain)),
        };
        return new EnvelopeCurve(domain.Name, lower, upper, xs, lines.Lower, lines.Upper);
    }

    static (IReadOnlyList<double[]>, IReadOnlyList<double[]>) Box(IbpDomain domain, Tensor l, Tensor u, Func<Tensor, Tensor?, double[]> line)
    {
        var output = ReluBox.Propagate(Layers.Relu.Instance, LooseBox.Apply(domain.Options.Loosening, Bounds.Box.FromBounds(l, u)));
        var zero = zeros_like(l);
        return ([line(zero, output.Lower)], [line(zero, output.Upper)]);
    }

    static (IReadOnlyList<double[]>, IReadOnlyList<double[]>) Band(ZonotopeOptions options, Tensor l, Tensor u, bool singleLineWithoutNoise, Func<Tensor, Tensor?, double[]> line)
    {
        var c = ReluRules.Coefficients(options, l, u);
        if (singleLineWithoutNoise && !c.NewNoise.item<bool>() && c.Mu.item<double>() != 0)
            return ([line(c.Lambda, c.Mu)], [line(c.Lambda, c.Mu)]);
        return ([line(c.Lambda, null)], [line(c.Lambda, 2 * c.Mu)]);
    }

    static (IReadOnlyList<double[]>, IReadOnlyList<double[]>) Crown(ReluEnvelope e, Func<Tensor, Tensor?, double[]> line) =>
        ([line(e.LambdaLower, e.MuLower)], [line(e.LambdaUpper, e.MuUpper)]);

    static (IReadOnlyList<double[]>, IReadOnlyList<double[]>) Triangle(Tensor l, Tensor u, Func<Tensor, Tensor?, double[]> line)
    {
        var bounds = Bounds.Box.FromBounds(l, u);
        var zero = CrownEnvelopes.Compute(new CrownOptions(CrownVariant.Zero), bounds);
        var one = CrownEnvelopes.Compute(new CrownOptions(CrownVariant.One), bounds);
        return ([line(zero.LambdaLower, zero.MuLower), line(one.LambdaLower, one.MuLower)], [line(zero.LambdaUpper, zero.MuUpper)]);
    }
}
