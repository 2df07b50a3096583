using Certify.Functional.Analysis;

namespace Certify.Functional.Properties.Analysis;

/// <summary>The refinement criterion of <see cref="JumpDetector"/> on analytic slices (no torch).</summary>
public sealed class JumpDetectorTests
{
    [Fact]
    public void A_step_on_a_slope_is_one_jump_where_it_is()
    {
        // Slope 2 (coarse differences 0.02) and a step of 0.3 at t = 0.1234: only the step survives refinement.
        var found = JumpDetector.Detect(t => 2 * t + (t > 0.1234 ? 0.3 : 0), -1, 1, 201);
        var jump = Assert.Single(found.Jumps);
        Assert.InRange(jump.Location, 0.1234 - jump.Width, 0.1234 + jump.Width);
        Assert.InRange(jump.Size, 0.3, 0.3 + 2 * jump.Width + 1e-12);
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
        Assert.Single(JumpDetector.Detect(t => t > 0 ? 1e-6 : 0, -1, 1, 101, JumpOptions.Default with { MinJump = 1e-7 }).Jumps);
    }

    [Fact]
    public void Several_jumps_are_reported_in_order_with_their_signs()
    {
        // floor(4t) is right-continuous: the step at t = 1 is seen in the last grid interval.
        var found = JumpDetector.Detect(t => Math.Floor(4 * t) * 0.25 - (t > 0.61 ? 2 : 0), -1, 1, 301);
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
