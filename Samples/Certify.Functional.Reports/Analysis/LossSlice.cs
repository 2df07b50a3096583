using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using static TorchSharp.torch;

namespace Certify.Functional.Analysis;

/// <summary>A one-dimensional slice t ↦ L_abs(θ + t·d) on a grid.</summary>
/// <param name="T">Grid points, increasing.</param>
/// <param name="Loss">L_abs at each grid point.</param>
public sealed record SliceResult(double[] T, double[] Loss);

/// <summary>
/// Loss slices for the continuity study (properties.md §7.2): the abstract loss L_abs(θ + t·d) (κ = 0, <see cref="AbstractLoss"/>)
/// on a fixed batch, for a direction d (<see cref="ParameterDirection.Random"/>, <see cref="ParameterDirection.Gradient"/>
/// or <see cref="ParameterDirection.Unit"/>). Every evaluation runs without gradients in its own dispose scope and puts
/// the weights back bit for bit afterwards (also when it throws). Mutates the network during a call: not thread-safe.
/// </summary>
public static class LossSlice
{
    /// <summary>L_abs(θ + t·d).</summary>
    public static double At(NetworkModule net, Tensor x, Tensor y, Domain domain, double eps, ParameterDirection direction, double t)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return WeightShift.At(net, direction, t, () => AbstractLoss.Value(net, x, y, domain, eps));
    }

    /// <summary>The slice as a function of t (each call is <see cref="At"/>), e.g. for <see cref="JumpDetector.Detect"/>.
    /// Captures <paramref name="x"/> and <paramref name="y"/>: they must stay alive while the function is used.</summary>
    public static Func<double, double> Function(NetworkModule net, Tensor x, Tensor y, Domain domain, double eps, ParameterDirection direction) =>
        t => At(net, x, y, domain, eps, direction, t);

    /// <summary>L_abs(θ + t·d) for <paramref name="points"/> equally spaced t ∈ [−<paramref name="radius"/>, <paramref name="radius"/>]
    /// (both ends included; properties.md §7.2 suggests 2001 points).</summary>
    public static SliceResult Evaluate(NetworkModule net, Tensor x, Tensor y, Domain domain, double eps, ParameterDirection direction, double radius, int points)
    {
        var grid = Grid.Linspace(-radius, radius, points);
        return new SliceResult(grid, grid.Select(t => At(net, x, y, domain, eps, direction, t)).ToArray());
    }
}

/// <summary>Equally spaced grids.</summary>
internal static class Grid
{
    /// <summary><paramref name="points"/> values from <paramref name="from"/> to <paramref name="to"/>, both included, computed as
    /// from + (to − from)·i/(n − 1) (no accumulated rounding).</summary>
    public static double[] Linspace(double from, double to, int points)
    {
        if (points < 2 || !double.IsFinite(from) || !double.IsFinite(to) || !(to > from))
            throw new ArgumentException($"Grid [{from}, {to}] with {points} points: need finite from < to and at least 2 points.");
        return Enumerable.Range(0, points).Select(i => i == points - 1 ? to : from + (to - from) * i / (points - 1)).ToArray();
    }
}
