using Certify.Functional.Analysis;

namespace Certify.Functional.Properties.Analysis;

/// <summary>The refinement criterion of <see cref="JumpDetector"/> on analytic slices (no torch). Locations and slope shares
/// are measured against the finest interval the test's own grid implies (coarse step / 10², default options), never against
/// the detector's reported <see cref="Jump.Width"/>, which is itself checked against that bound.</summary>
public sealed class JumpDetectorTests
{
    /// <summary>Width of the finest interval after the default two 10× refinements of a coarse step of the grid
    /// [<paramref name="from"/>, <paramref name="to"/>] with <paramref name="points"/> points.</summary>
    static double Finest(double from, double to, int points) => (to - from) / (points - 1) / 100;

    /// <summary>The reported width is positive and at most the finest interval (up to rounding of the subdivision).</summary>
    static void WidthIsBounded(Jump jump, double finest) => Assert.InRange(jump.Width, double.Epsilon, finest * (1 + 1e-9));

    [Fact]
    public void A_step_on_a_slope_is_one_jump_where_it_is()
    {
        // Slope 2 (coarse differences 0.02) and a step of 0.3 at t = 0.1234: only the step survives refinement.
        var found = JumpDetector.Detect(t => 2 * t + (t > 0.1234 ? 0.3 : 0), -1, 1, 201);
        var jump = Assert.Single(found.Jumps);
        double finest = Finest(-1, 1, 201);                                   // 1e−4
        WidthIsBounded(jump, finest);
        // The location is the midpoint of the finest interval holding the step: within half of it (the step sits on a
        // subdivision point here, so the bound is met with equality up to rounding).
        Assert.InRange(jump.Location, 0.1234 - finest / 2 - 1e-12, 0.1234 + finest / 2 + 1e-12);
        Assert.InRange(jump.Size, 0.3, 0.3 + 2 * finest + 1e-12);
        Assert.All(jump.Ratios, r => Assert.True(r > 0.5, $"ratio {r}"));
    }

    [Fact]
    public void A_steep_continuous_slope_is_no_jump_and_shrinks_tenfold()
    {
        // tanh(400 t): the coarse differences near 0 are far above the median, but they shrink under refinement.
        var found = JumpDetector.Detect(t => Math.Tanh(400 * t), -1, 1, 201);
        Assert.Empty(found.Jumps);
        Assert.True(found.Candidates > 0, "the steep part must have been refined");
        Assert.True(found.MaxDifference > 100 * found.MedianDifference);
    }

    [Fact]
    public void Kinks_and_tiny_steps_are_not_jumps()
    {
        Assert.Empty(JumpDetector.Detect(t => Math.Abs(t - 0.3) * 100, -1, 1, 101).Jumps);
        Assert.Empty(JumpDetector.Detect(t => t > 0 ? 1e-6 : 0, -1, 1, 101).Jumps);                     // below MinJump
        var tiny = Assert.Single(JumpDetector.Detect(t => t > 0 ? 1e-6 : 0, -1, 1, 101, JumpOptions.Default with { MinJump = 1e-7 }).Jumps);
        WidthIsBounded(tiny, Finest(-1, 1, 101));
        Assert.InRange(tiny.Location, -Finest(-1, 1, 101) / 2 - 1e-12, Finest(-1, 1, 101) / 2 + 1e-12);
    }

    [Fact]
    public void Several_jumps_are_reported_in_order_with_their_signs()
    {
        // floor(4t) is right-continuous: the step at t = 1 is seen in the last grid interval.
        var found = JumpDetector.Detect(t => Math.Floor(4 * t) * 0.25 - (t > 0.61 ? 2 : 0), -1, 1, 301);
        Assert.All(found.Jumps, j => WidthIsBounded(j, Finest(-1, 1, 301)));
        Assert.Equal(new[] { -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.61, 0.75, 1.0 }, found.Jumps.Select(j => Math.Round(j.Location, 3)).ToArray());
        Assert.Equal(-2.0, found.Jumps.Single(j => Math.Abs(j.Location - 0.61) < 0.01).Size, 12);
    }

    [Fact]
    public void Bad_input_is_refused()
    {
        Assert.Throws<ArgumentException>(() => JumpDetector.Detect(t => t, 1, -1, 10));
        Assert.Throws<ArgumentException>(() => JumpDetector.Detect(t => t, -1, 1, 1));
        Assert.Throws<ArgumentException>(() => JumpDetector.Detect(t => t > 0 ? double.NaN : 0, -1, 1, 10));
        Assert.Throws<ArgumentException>(() => JumpDetector.Detect(t => t, -1, 1, 10, JumpOptions.Default with { Subdivisions = 1 }));
    }
}
