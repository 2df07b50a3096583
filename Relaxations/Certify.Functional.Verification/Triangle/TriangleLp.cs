using System.Diagnostics;
using Certify.Functional.Bounds;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Relaxations.Shared;
using Certify.Functional.Verification;
using Google.OrTools.LinearSolver;
using static TorchSharp.torch;

namespace Certify.Functional.Verification.Triangle;

/// <summary>Options of the exact Triangle LP.</summary>
/// <param name="SkipStable">Skip the two LPs of every neuron that CROWN (DeepPoly) already proves stable (l ≥ 0 or
/// u ≤ 0); their reported pre-activation bounds are then CROWN's. The model, and so every other LP bound and the
/// specification bounds, is unchanged: a stable neuron's constraint (y = x or y = 0) does not depend on its bounds,
/// and crossing neurons (those CROWN cannot decide) still get LP-exact bounds for their chords. Off by default.</param>
/// <param name="SolveFirstLayer">Solve the first stage's LPs too. Off by default: over the input box alone the LP
/// optimum of an affine function is its interval-arithmetic value, computed in closed form (same number).</param>
/// <param name="GlopParameters">GLOP parameters in protobuf text format, or null for GLOP's defaults. The default,
/// <see cref="FastGlop"/>, re-solves from the previous basis with the dual simplex and without presolve: same optima,
/// about 5× faster than GLOP's defaults on FC-SMALL (only the objective changes between solves).</param>
/// <param name="SecondsPerLp">Time limit of one solve. A solve that stops short (seen: the warm-started dual simplex
/// stalling on one LP of an image at ε 0.3, for many minutes) is retried once from scratch with GLOP's defaults
/// (presolve, primal simplex) under the same limit; if that fails too, the neuron keeps its interval bound (sound,
/// looser; counted in <see cref="TriangleLpExample.Fallbacks"/>).</param>
/// <param name="RetryGlopParameters">The retry's GLOP parameters (default: GLOP's defaults); null: no retry.</param>
public sealed record TriangleLpOptions(bool SkipStable = false, bool SolveFirstLayer = false, string? GlopParameters = TriangleLpOptions.FastGlop,
    double SecondsPerLp = 10, string? RetryGlopParameters = TriangleLpOptions.DefaultGlop)
{
    /// <summary>Dual simplex, no presolve.</summary>
    public const string FastGlop = "use_preprocessing: false, use_dual_simplex: true";

    /// <summary>GLOP's defaults, for the retry of a solve that stopped short.</summary>
    public const string DefaultGlop = "use_preprocessing: true, use_dual_simplex: false";

    /// <summary>The exact layer-wise LP of relaxations.md §3.11.</summary>
    public static TriangleLpOptions Exact { get; } = new();
}

/// <summary>Where the Triangle LP is: example, layer (ReLU index, or the specification as the last), neuron, and LPs so far;
/// <see cref="Fallbacks"/>: solves so far that stopped short twice and kept their (sound, looser) interval bound.</summary>
public readonly record struct TriangleLpProgress(int Example, int Examples, int Layer, int Layers, int Neuron, int Neurons, long Lps, TimeSpan Elapsed,
    int Fallbacks = 0)
{
    /// <inheritdoc/>
    public override string ToString() => (Layer < Layers - 1
        ? $"triangle-lp: image {Example + 1}/{Examples}, layer {Layer + 1}/{Layers - 1}, neuron {Neuron}/{Neurons}, {Lps} LPs, {Elapsed.TotalSeconds:F1} s"
        : $"triangle-lp: image {Example + 1}/{Examples}, specification {Neuron}/{Neurons}, {Lps} LPs, {Elapsed.TotalSeconds:F1} s")
        + (Fallbacks > 0 ? $", {Fallbacks} interval fallbacks" : "");
}

/// <summary>What the LP proved about one example, in float64.</summary>
/// <param name="Lower">Per ReLU, the lower bounds of its inputs (flattened).</param>
/// <param name="Upper">Per ReLU, the upper bounds.</param>
/// <param name="DiffLower">min z_y − z_j for j ≠ y, increasing j (K−1), or null when only logits were asked for.</param>
/// <param name="LogitLower">Per-logit minima (K), or null.</param>
/// <param name="LogitUpper">Per-logit maxima (K), or null.</param>
/// <param name="Lps">LPs solved.</param>
/// <param name="Fallbacks">Solves that did not reach optimality; their bound is the (sound, looser) interval bound.</param>
public sealed record TriangleLpExample(IReadOnlyList<double[]> Lower, IReadOnlyList<double[]> Upper, double[]? DiffLower,
    double[]? LogitLower, double[]? LogitUpper, long Lps, int Fallbacks);

/// <summary>
/// The exact Triangle-LP verifier (relaxations.md §3.11, "analyze_lp" with the triangle relaxation), evaluation only, for fully
/// connected networks: per example, layer by layer, the min and max LP of every Dense pre-activation over all
/// constraints so far, then that layer's ReLU constraints with those bounds (<see cref="TriangleEncoding"/>); finally
/// min z_y − z_j by LP for every j ≠ y. One GLOP model per example; only the objective changes between solves, so GLOP
/// re-solves from the previous basis. Certified ⇔ every such minimum &gt; 0. Tighter than Box, DeepZ, CROWN/DeepPoly
/// with any lower slopes (soundness.md §12.2). Not differentiable (no gradients flow).
/// </summary>
public static class TriangleLp
{
    /// <summary>Bounds of inputs <paramref name="x"/> [B, …] (pixels in [0, 1]) with labels <paramref name="y"/> [B]
    /// over the clamped ball of radius <paramref name="eps"/>: pre-activation boxes from the LP bounds and the
    /// specification from the LPs, as float32 (rounded outward) on <paramref name="x"/>'s device.</summary>
    public static SpecBounds Bounds(NetworkModule net, Tensor x, Tensor y, double eps, IProgress<TriangleLpProgress>? progress = null,
        TriangleLpOptions? options = null, SpecKind kind = SpecKind.Diffs)
    {
        var examples = Analyze(net, x, y, eps, progress, options, kind);
        var device = x.device;
        var lp = LpNetwork.From(net);
        long b = x.shape[0];
        var pre = new List<Box>();
        for (int r = 0; r < lp.ReluShapes.Count; r++)
        {
            long[] shape = [b, .. lp.ReluShapes[r]];
            var lo = Float32(examples.SelectMany(e => e.Lower[r]), down: true, shape, device);
            var hi = Float32(examples.SelectMany(e => e.Upper[r]), down: false, shape, device);
            pre.Add(Box.FromBounds(lo, hi));
        }
        int classes = (int)net.Description.Output.Size;
        if (kind == SpecKind.Diffs)
            return new SpecBounds(pre, Float32(examples.SelectMany(e => e.DiffLower!), true, [b, classes - 1], device), null, kind);
        var logits = Box.FromBounds(Float32(examples.SelectMany(e => e.LogitLower!), true, [b, classes], device),
            Float32(examples.SelectMany(e => e.LogitUpper!), false, [b, classes], device));
        return new SpecBounds(pre, Float32(examples.SelectMany(e => e.DiffLower!), true, [b, classes - 1], device), logits, kind);
    }

    /// <summary>The float64 results per example (see <see cref="Bounds"/>).</summary>
    public static IReadOnlyList<TriangleLpExample> Analyze(NetworkModule net, Tensor x, Tensor y, double eps,
        IProgress<TriangleLpProgress>? progress = null, TriangleLpOptions? options = null, SpecKind kind = SpecKind.Diffs)
    {
        options ??= TriangleLpOptions.Exact;
        var lp = LpNetwork.From(net);
        long b = x.shape[0];
        if (y.shape.Length != 1 || y.shape[0] != b)
            throw new ArgumentException($"Labels: shape [{string.Join(", ", y.shape)}], expected [{b}] for inputs [{string.Join(", ", x.shape)}].", nameof(y));
        if (x[0].numel() != lp.Inputs)
            throw new ArgumentException($"Inputs: {x[0].numel()} elements per example, network '{net.Description.Name}' expects {lp.Inputs}.", nameof(x));
        double[] lo, hi;
        long[] labels;
        IReadOnlyList<(double[] Lower, double[] Upper)>? crown = null;
        using (no_grad())
        {
            var (l, h) = InputRegion.Corners(x, eps);
            lo = l.to(float64, CPU).contiguous().data<double>().ToArray();
            hi = h.to(float64, CPU).contiguous().data<double>().ToArray();
            labels = y.to(int64, CPU).data<long>().ToArray();
            if (options.SkipStable)
                crown = Verifier.Bounds(net, x, y, eps, Domain.DeepPoly).PreActivation
                    .Select(p => (p.Lower.to(float64, CPU).contiguous().data<double>().ToArray(), p.Upper.to(float64, CPU).contiguous().data<double>().ToArray()))
                    .ToList();
        }
        int n = lp.Inputs;
        var clock = Stopwatch.StartNew();
        var results = new TriangleLpExample[b];
        long lps = 0;
        int fallbacks = 0;
        int rows = kind == SpecKind.Diffs ? (int)net.Description.Output.Size - 1 : (int)net.Description.Output.Size;  // the specification's LPs
        for (int e = 0; e < b; e++)
        {
            var stable = crown?.Select(c => (c.Lower.AsSpan(e * c.Lower.Length / (int)b, c.Lower.Length / (int)b).ToArray(),
                c.Upper.AsSpan(e * c.Upper.Length / (int)b, c.Upper.Length / (int)b).ToArray())).ToList();
            results[e] = Example(lp, lo.AsSpan(e * n, n).ToArray(), hi.AsSpan(e * n, n).ToArray(), (int)labels[e], kind, options, stable,
                (layer, neuron, neurons, solved, failed) => progress?.Report(
                    new TriangleLpProgress(e, (int)b, layer, lp.ReluShapes.Count + 1, neuron, neurons, lps + solved, clock.Elapsed, fallbacks + failed)));
            lps += results[e].Lps;
            fallbacks += results[e].Fallbacks;
            progress?.Report(new TriangleLpProgress(e, (int)b, lp.ReluShapes.Count, lp.ReluShapes.Count + 1, rows, rows, lps, clock.Elapsed, fallbacks));
        }
        return results;
    }

    /// <summary>Crossed bounds (solver or rounding noise: lo &gt; hi, impossible for sound bounds in exact arithmetic)
    /// widened to span both values, [min, max], never collapsed to their midpoint, which would cut the true value off
    /// when either side is the sound one.</summary>
    public static (double Lower, double Upper) Ordered(double lower, double upper) => (Math.Min(lower, upper), Math.Max(lower, upper));

    /// <summary>One example over the box [<paramref name="lower"/>, <paramref name="upper"/>] (flattened pixels).
    /// <paramref name="stableBounds"/> (per ReLU, sound bounds such as CROWN's) mark neurons whose LPs are skipped.</summary>
    public static TriangleLpExample Example(LpNetwork lp, double[] lower, double[] upper, int label, SpecKind kind, TriangleLpOptions options,
        IReadOnlyList<(double[] Lower, double[] Upper)>? stableBounds = null, Action<int, int, int, long, int>? progress = null)
    {
        using var model = TriangleEncoding.ForBox(lower, upper, options.GlopParameters);
        long lps = 0;
        int fallbacks = 0;
        var lows = new List<double[]>();
        var highs = new List<double[]>();
        int relus = lp.ReluShapes.Count;
        for (int r = 0; r < relus; r++)
        {
            model.AddAffine(lp.Stages[r]);
            var (lo, hi) = model.IntervalBounds;
            lo = (double[])lo.Clone();
            hi = (double[])hi.Clone();
            if (r > 0 || options.SolveFirstLayer)
            {
                for (int i = 0; i < model.Neurons; i++)
                {
                    progress?.Invoke(r, i, model.Neurons, lps, fallbacks);
                    if (stableBounds is { } s && (s[r].Lower[i] >= 0 || s[r].Upper[i] <= 0))
                    {
                        lo[i] = Math.Max(lo[i], s[r].Lower[i]);
                        hi[i] = Math.Min(hi[i], s[r].Upper[i]);
                        (lo[i], hi[i]) = Ordered(lo[i], hi[i]);
                        continue;
                    }
                    model.ObjectiveNeuron(i, minimize: true);
                    lo[i] = Math.Max(lo[i], Optimize(model.Solver, options, ref lps, ref fallbacks) ?? double.NegativeInfinity);
                    model.ObjectiveNeuron(i, minimize: false);
                    hi[i] = Math.Min(hi[i], Optimize(model.Solver, options, ref lps, ref fallbacks) ?? double.PositiveInfinity);
                    (lo[i], hi[i]) = Ordered(lo[i], hi[i]);                      // solver noise on a (near-)constant neuron
                }
            }
            lows.Add(lo);
            highs.Add(hi);
            model.AddRelu(lo, hi);
        }

        var last = lp.Stages[^1];
        if (label < 0 || label >= last.Out)
            throw new ArgumentException($"Label {label} is not a class of the network's {last.Out} logits.", nameof(label));
        int classes = last.Out;
        var c = new double[last.In];
        double[]? diffs = null, logitLower = null, logitUpper = null;
        if (kind == SpecKind.Eye)
        {
            logitLower = new double[classes];
            logitUpper = new double[classes];
            for (int k = 0; k < classes; k++)
            {
                progress?.Invoke(relus, k, classes, lps, fallbacks);
                var (il, iu) = model.IntervalLinear(last.Row(k), last.Bias[k]);
                model.ObjectiveLinear(last.Row(k), last.Bias[k], minimize: true);
                logitLower[k] = Math.Max(il, Optimize(model.Solver, options, ref lps, ref fallbacks) ?? double.NegativeInfinity);
                model.ObjectiveLinear(last.Row(k), last.Bias[k], minimize: false);
                logitUpper[k] = Math.Min(iu, Optimize(model.Solver, options, ref lps, ref fallbacks) ?? double.PositiveInfinity);
            }
            diffs = new double[classes - 1];
            for (int j = 0, col = 0; j < classes; j++)
                if (j != label) diffs[col++] = logitLower[label] - logitUpper[j];
        }
        else
        {
            diffs = new double[classes - 1];
            for (int j = 0, col = 0; j < classes; j++)
            {
                if (j == label) continue;
                progress?.Invoke(relus, col, classes - 1, lps, fallbacks);
                var wy = last.Row(label);
                var wj = last.Row(j);
                for (int k = 0; k < c.Length; k++) c[k] = wy[k] - wj[k];
                double c0 = last.Bias[label] - last.Bias[j];
                var (il, _) = model.IntervalLinear(c, c0);
                model.ObjectiveLinear(c, c0, minimize: true);
                diffs[col++] = Math.Max(il, Optimize(model.Solver, options, ref lps, ref fallbacks) ?? double.NegativeInfinity);
            }
        }
        return new TriangleLpExample(lows, highs, diffs, logitLower, logitUpper, lps, fallbacks);
    }

    // The optimum, or null (the caller keeps its interval bound) when GLOP stops short of optimality twice: once with
    // the options' parameters, once from scratch with the retry's (then the options' parameters are restored).
    static double? Optimize(Solver solver, TriangleLpOptions options, ref long lps, ref int fallbacks)
    {
        lps++;
        long limit = (long)Math.Clamp(options.SecondsPerLp * 1000, 1, long.MaxValue / 2);
        solver.SetTimeLimit(limit);
        if (solver.Solve() == Solver.ResultStatus.OPTIMAL) return solver.Objective().Value();
        if (options.RetryGlopParameters is { } retry)
        {
            solver.Reset();
            solver.SetSolverSpecificParametersAsString(retry);
            var status = solver.Solve();
            if (!string.IsNullOrEmpty(options.GlopParameters)) solver.SetSolverSpecificParametersAsString(options.GlopParameters);
            if (status == Solver.ResultStatus.OPTIMAL) return solver.Objective().Value();
        }
        fallbacks++;
        return null;
    }

    // float64 → float32 rounded outward (down for lower bounds, up for upper bounds).
    internal static Tensor Float32(IEnumerable<double> values, bool down, long[] shape, Device device)
    {
        var f = values.Select(v =>
        {
            float r = (float)v;
            if (down && r > v) r = MathF.BitDecrement(r);
            if (!down && r < v) r = MathF.BitIncrement(r);
            return r;
        }).ToArray();
        return tensor(f, shape).to(device);
    }
}
