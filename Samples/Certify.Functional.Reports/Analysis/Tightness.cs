using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification;
using static TorchSharp.torch;

namespace Certify.Functional.Analysis;

/// <summary>Two-sided bounds of the specification z_y − z_j (j ≠ y, increasing j) of a batch in one domain, in float64.</summary>
/// <param name="Domain">The domain name.</param>
/// <param name="Lower">Lower bounds l_bj, [B][K−1].</param>
/// <param name="Upper">Upper bounds u_bj, [B][K−1].</param>
public sealed record SpecWidths(string Domain, double[][] Lower, double[][] Upper)
{
    /// <summary>u − l per entry, [B][K−1].</summary>
    public double[][] Width => Lower.Select((l, b) => l.Select((v, j) => Upper[b][j] - v).ToArray()).ToArray();

    /// <summary>Mean over images of the certified margin min_j l_bj (&gt; 0 ⇔ certified).</summary>
    public double MeanCertifiedMargin => Lower.Average(l => l.Min());

    /// <summary>Mean of u − l over all entries.</summary>
    public double MeanWidth => Width.SelectMany(w => w).Average();

    /// <summary>properties.md §7.1's proxy on this batch: mean over images b of 1 / mean_j (u_bj − l_bj) (larger = tighter; +∞ if an
    /// image's mean width is 0).</summary>
    public double InverseWidth => Width.Average(w => 1 / w.Average());
}

/// <summary>
/// A documented family of tightness measures (properties.md §7.1: the paper's formula was not retrievable, so this is our protocol,
/// not the paper's numbers). Upper bounds of z_y − z_j come from the same domain run on the network with its output layer
/// negated (weights and bias of the last Dense/Conv2d layer; no ReLU may follow it): the lower bound of z'_y − z'_j =
/// −(z_y − z_j) is −u. Every domain thus gets its upper bound with its own machinery and with the specification merged
/// (elision, as for the lower bound); intermediate bounds are unaffected (they do not involve the last layer), and
/// optimising domains (α-CROWN, iclr2021) optimise the upper side separately. Negation is exact, so the weights are put back
/// bit for bit (also when a domain throws).
/// </summary>
public static class Tightness
{
    /// <summary>Lower and upper bounds of z_y − z_j for <paramref name="x"/> [B, …], labels <paramref name="y"/> [B], radius
    /// <paramref name="eps"/>, without gradients (two bound computations; the triangle LP twice as long).</summary>
    /// <exception cref="ArgumentException">The network does not end in a Dense or Conv2d layer (up to Flatten).</exception>
    public static SpecWidths Measure(NetworkModule net, Tensor x, Tensor y, double eps, Domain domain)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var lower = Rows(Verifier.Bounds(net, x, y, eps, domain).DiffLower);
        var negated = NegatedOutput(net, () => Rows(Verifier.Bounds(net, x, y, eps, domain).DiffLower));
        return new SpecWidths(domain.Name, lower, negated.Select(r => r.Select(v => -v).ToArray()).ToArray());
    }

    /// <summary>(b) Mean over all entries (b, j) of width_reference / width_relaxation: with the triangle LP as
    /// <paramref name="reference"/>, 1 means as tight as the LP and smaller is looser. An entry where the relaxation's width is
    /// at float32 noise (≤ 1e-5·(1 + |l| + |u|)) counts as 1 (nothing to tighten).</summary>
    /// <exception cref="ArgumentException">The two measurements have different shapes.</exception>
    public static double WidthRatio(SpecWidths reference, SpecWidths relaxation)
    {
        var (r, w) = (reference.Width, relaxation.Width);
        if (r.Length != w.Length || r.Where((row, b) => row.Length != w[b].Length).Any())
            throw new ArgumentException($"Width ratio of '{reference.Domain}' to '{relaxation.Domain}': shapes differ ([{r.Length}][…] vs [{w.Length}][…]); measure the same batch.");
        // Widths at float32 noise (≤ 1e-5·(1 + |l| + |u|), the soundness laws' tolerance) count as 1: on a (nearly) collapsed
        // network both widths are rounding noise and their quotient is meaningless (measured: a mean of 1.06 from such entries).
        return r.SelectMany((row, b) => row.Select((v, j) =>
            w[b][j] <= 1e-5 * (1 + Math.Abs(relaxation.Lower[b][j]) + Math.Abs(relaxation.Upper[b][j])) ? 1.0 : v / w[b][j])).Average();
    }

    /// <summary>(c) One scalar per relaxation over a panel (several networks and batches, the same relaxation and ε):
    /// T = (1/N)·Σ_{networks n} Σ_{images b of n} 1 / ((1/(K−1))·Σ_j (u_nbj − l_nbj)), N the total number of images; i.e.
    /// properties.md §7.1's proxy "mean over points of 1 / mean_j width" pooled over the panel. Larger is tighter.</summary>
    public static double Score(IEnumerable<SpecWidths> panel)
    {
        var perImage = panel.SelectMany(p => p.Width.Select(w => 1 / w.Average())).ToList();
        return perImage.Count == 0 ? throw new ArgumentException("Tightness score of an empty panel.", nameof(panel)) : perImage.Average();
    }

    /// <summary>Runs <paramref name="evaluate"/> with the last Dense/Conv2d layer negated, restoring it afterwards.</summary>
    static TResult NegatedOutput<TResult>(NetworkModule net, Func<TResult> evaluate)
    {
        var layers = net.Description.Layers;
        int last = layers.Count - 1;
        while (last >= 0 && layers[last].Declaration.Kind == LayerKind.Flatten) last--;
        if (last < 0 || layers[last].Declaration.Kind is not (LayerKind.Dense or LayerKind.Conv2d))
            throw new ArgumentException($"Network '{net.Description.Name}' does not end in a Dense or Conv2d layer (up to Flatten); upper bounds of the specification need an affine output layer.", nameof(net));
        var parameters = net.LayerModule(last).parameters().ToList();
        using (no_grad()) foreach (var p in parameters) p.neg_();
        try { return evaluate(); }
        finally { using (no_grad()) foreach (var p in parameters) p.neg_(); }
    }

    static double[][] Rows(Tensor t)
    {
        var values = t.detach().to(float64, CPU).contiguous();
        long b = values.shape[0], k = values.shape[1];
        var flat = values.data<double>().ToArray();
        return Enumerable.Range(0, (int)b).Select(i => flat.AsSpan(i * (int)k, (int)k).ToArray()).ToArray();
    }
}
