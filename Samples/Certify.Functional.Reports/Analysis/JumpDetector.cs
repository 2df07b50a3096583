namespace Certify.Functional.Analysis;

/// <summary>Settings of <see cref="JumpDetector"/>.</summary>
/// <param name="CandidateRatio">An interval is a candidate when its |Δf| exceeds this many times the median |Δf| of the grid.</param>
/// <param name="MinJump">…and exceeds this absolute size. Keep it above the evaluation's rounding noise (float32 losses of
/// order 1: about 1e-6), since noise does not shrink under refinement either.</param>
/// <param name="Subdivisions">Each refinement splits the interval into this many equal parts (10 in properties.md §7.2).</param>
/// <param name="Refinements">Number of refinement levels (2: the interval is refined 10× and again 10×).</param>
/// <param name="KeepFraction">A candidate is a jump when after every level the largest sub-difference is still at least this
/// fraction of the candidate's original |Δf|.</param>
/// <param name="MaxCandidates">At most this many candidates (the largest) are refined.</param>
public sealed record JumpOptions(double CandidateRatio = 10, double MinJump = 1e-5, int Subdivisions = 10, int Refinements = 2,
    double KeepFraction = 0.5, int MaxCandidates = 32)
{
    /// <summary>The defaults above.</summary>
    public static JumpOptions Default { get; } = new();
}

/// <summary>A discontinuity of a slice.</summary>
/// <param name="Location">Midpoint of the final (finest) interval that contains the jump.</param>
/// <param name="Size">Signed f(right) − f(left) across that finest interval (the jump's size, up to the slope's share).</param>
/// <param name="Width">Width of the finest interval (the location's uncertainty is ±Width/2).</param>
/// <param name="CoarseDifference">|Δf| of the coarse grid interval the jump was found in.</param>
/// <param name="Ratios">Largest sub-difference after each refinement divided by the previous level's (≈ 1 for a jump,
/// ≈ 1/<see cref="JumpOptions.Subdivisions"/> for a smooth slope).</param>
public sealed record Jump(double Location, double Size, double Width, double CoarseDifference, IReadOnlyList<double> Ratios);

/// <summary>What <see cref="JumpDetector.Detect"/> found on a slice.</summary>
/// <param name="T">The coarse grid.</param>
/// <param name="Values">f on the grid.</param>
/// <param name="Jumps">The jumps, by location.</param>
/// <param name="Candidates">How many intervals were refined.</param>
/// <param name="MaxDifference">max |Δf| between consecutive grid points.</param>
/// <param name="MedianDifference">median |Δf| (properties.md §7.2 reports max relative to median).</param>
/// <param name="Evaluations">Evaluations of f in total.</param>
public sealed record SliceJumps(double[] T, double[] Values, IReadOnlyList<Jump> Jumps, int Candidates, double MaxDifference,
    double MedianDifference, int Evaluations);

/// <summary>
/// Tells discontinuities from steep slopes on a 1-D slice f (properties.md §7.2). Criterion: on a grid of n points, an interval
/// [t_i, t_{i+1}] is a candidate if D₀ = |f(t_{i+1}) − f(t_i)| &gt; max(CandidateRatio·median|Δf|, MinJump). The candidate is
/// refined: split into S = 10 equal parts, the part with the largest |Δf| (D₁) is kept and split again (D₂), and so on.
/// If f is continuous there (Lipschitz on the interval) the largest difference shrinks like 1/S per level (D_k ≈ D₀/S^k);
/// a jump of size J stays inside one part at every level, so D_k ≥ J does not shrink. The candidate is reported as a jump
/// iff D_k ≥ KeepFraction·D₀ after every level (default: 0.5 after 10× and 100×). With slope s and coarse step h,
/// D_k ≈ J + s·h/S^k, so a jump is found when J is at least about the slope's change over one coarse interval; smaller
/// jumps are indistinguishable from slope on that grid (refine the grid). Pure: f is the only effect.
/// </summary>
public static class JumpDetector
{
    /// <summary>Jumps of <paramref name="f"/> on <paramref name="points"/> equally spaced points of [<paramref name="from"/>, <paramref name="to"/>].</summary>
    /// <exception cref="ArgumentException">A bad grid, options, or a non-finite value of f.</exception>
    public static SliceJumps Detect(Func<double, double> f, double from, double to, int points, JumpOptions? options = null)
    {
        options ??= JumpOptions.Default;
        if (options.Subdivisions < 2 || options.Refinements < 1 || !(options.KeepFraction is > 0 and <= 1) || options.MaxCandidates < 0
            || !(options.MinJump >= 0) || !(options.CandidateRatio >= 0))
            throw new ArgumentException($"Jump options {options}: need Subdivisions ≥ 2, Refinements ≥ 1, KeepFraction ∈ (0, 1], MinJump ≥ 0, CandidateRatio ≥ 0.", nameof(options));
        int evaluations = 0;
        double Eval(double t)
        {
            evaluations++;
            var v = f(t);
            return double.IsFinite(v) ? v : throw new ArgumentException($"Slice value at t = {t:R} is {v}; the detector needs finite values.", nameof(f));
        }
        var grid = Grid.Linspace(from, to, points);
        var values = grid.Select(Eval).ToArray();
        var diffs = Enumerable.Range(0, points - 1).Select(i => Math.Abs(values[i + 1] - values[i])).ToArray();
        double median = Median(diffs);
        double threshold = Math.Max(options.CandidateRatio * median, options.MinJump);
        var candidates = Enumerable.Range(0, points - 1).Where(i => diffs[i] > threshold)
            .OrderByDescending(i => diffs[i]).Take(options.MaxCandidates).ToList();
        var jumps = candidates.Select(i => Refine(Eval, grid[i], grid[i + 1], values[i], values[i + 1], options))
            .Where(j => j is not null).Select(j => j!).OrderBy(j => j.Location).ToList();
        return new SliceJumps(grid, values, jumps, candidates.Count, diffs.Max(), median, evaluations);
    }

    // Zooms into the part with the largest difference, level by level; null as soon as the difference shrinks below
    // KeepFraction·D₀ (a steep but continuous stretch).
    static Jump? Refine(Func<double, double> f, double left, double right, double fLeft, double fRight, JumpOptions options)
    {
        double d0 = Math.Abs(fRight - fLeft);
        double previous = d0;
        var ratios = new List<double>();
        for (int level = 0; level < options.Refinements; level++)
        {
            int s = options.Subdivisions;
            var ts = Enumerable.Range(0, s + 1).Select(k => k == 0 ? left : k == s ? right : left + (right - left) * k / s).ToArray();
            var fs = ts.Select((t, k) => k == 0 ? fLeft : k == s ? fRight : f(t)).ToArray();
            int best = Enumerable.Range(0, s).MaxBy(k => Math.Abs(fs[k + 1] - fs[k]));
            double d = Math.Abs(fs[best + 1] - fs[best]);
            ratios.Add(previous > 0 ? d / previous : 0);
            if (d < options.KeepFraction * d0) return null;
            (left, right, fLeft, fRight, previous) = (ts[best], ts[best + 1], fs[best], fs[best + 1], d);
        }
        return new Jump((left + right) / 2, fRight - fLeft, right - left, d0, ratios);
    }

    static double Median(double[] values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
