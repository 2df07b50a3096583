using Certify.Functional.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Verification.Vnn;

/// <summary>How hard <see cref="Falsifier"/> searches: <paramref name="Restarts"/> random starts per clause (the first at the
/// box's center), <paramref name="Steps"/> signed-gradient steps of <paramref name="StepSize"/> × the box width, decaying
/// linearly to a tenth.</summary>
public sealed record FalsifyOptions(int Restarts = 10, int Steps = 100, double StepSize = 0.1)
{
    /// <summary>The first, quick search.</summary>
    public static FalsifyOptions Quick { get; } = new();
    /// <summary>The second search, when no relaxation proved the property: 200 steps from 200,000 / n starts (n the
    /// input size), at least 50 and at most 1,000 — many starts where they are cheap (ACAS Xu's 5 inputs: 1,000, which
    /// found counterexamples that 50 missed), fewer on images (MNIST: 255).</summary>
    public static FalsifyOptions Thorough(long inputs) => new(Restarts: (int)Math.Clamp(200_000 / Math.Max(inputs, 1), 50, 1000), Steps: 200, StepSize: 0.1);
}

/// <summary>
/// Falsification by PGD on the property's margin: for a clause (rows c_r·y ≤ d_r), the margin of x is
/// max_r (c_r·f(x) − d_r), ≤ 0 exactly when f(x) satisfies the clause (a counterexample). Every clause gets its own
/// batch of starts, minimised by projected signed-gradient steps inside the box — in float32 on the float32 network (what
/// an ONNX runtime computes), projected onto the float32 values inside [lo, hi], so that a point found is exactly
/// representable and inside the box. A candidate is reported only when the clause holds at that point both in float32
/// and in float64 (a float64 copy of the same weights).
/// </summary>
public static class Falsifier
{
    /// <summary>A counterexample of case <paramref name="caseIndex"/>, or null. Deterministic given <paramref name="generator"/>.</summary>
    public static Counterexample? Search(NetworkModule float32, NetworkModule float64, PropertyTensors p, int caseIndex, FalsifyOptions options,
        Generator generator, Func<bool> expired)
    {
        using var scope = NewDisposeScope();
        var device = p.Lower.device;
        var (lo, hi) = (InsideFloat32(p.Lower, up: true), InsideFloat32(p.Upper, up: false));
        if (lo.gt(hi).any().item<bool>()) return null;                                    // no float32 point in the box
        int q = p.Clauses, r = options.Restarts;
        long[] shape = [q * r, .. lo.shape[1..]];
        var width = (hi - lo).expand(shape);
        var x = (lo + rand(shape, dtype: ScalarType.Float32, device: device, generator: generator) * width).contiguous();
        var center = ((lo + hi) / 2).clamp(lo, hi).expand([q, .. lo.shape[1..]]);
        x.view([q, r, .. lo.shape[1..]]).select(1, 0).copy_(center);                      // restart 0: the center
        var rows = p.Rows.to(ScalarType.Float32);
        var bounds = p.Bounds.to(ScalarType.Float32);
        var clauseOfRow = tensor(p.ClauseOf.Select(c => (long)c).ToArray(), device: device);
        var sampleClause = arange(q, dtype: int64, device: device).repeat_interleave(r);     // [q·r]
        var mask = sampleClause.unsqueeze(1).eq(clauseOfRow.unsqueeze(0));                  // [q·r, M]: rows of the sample's clause

        Tensor Margin(Tensor input)
        {
            var g = matmul(float32.forward(input).flatten(1), rows.t()) - bounds;             // [N, M]
            return g.masked_fill(mask.logical_not(), double.NegativeInfinity).amax(1);
        }

        for (int step = 0; step <= options.Steps && !expired(); step++)
        {
            using var stepScope = NewDisposeScope();
            var leaf = x.detach().requires_grad_(true);
            var margin = Margin(leaf);
            if (Found(float32, float64, p, caseIndex, x, margin.detach(), sampleClause) is { } found)
                return found;
            if (step == options.Steps) break;
            margin.sum().backward();
            double size = options.StepSize * (1 - 0.9 * step / Math.Max(1, options.Steps - 1));
            using (no_grad())
            {
                var previous = x;
                x = stepScope.MoveToOuter((x - leaf.grad!.sign() * width * size).clamp_(lo, hi));
                previous.Dispose();
            }
        }
        return null;
    }

    // The first sample whose margin says "holds" and whose point, re-evaluated in float32 and float64, satisfies its clause.
    static Counterexample? Found(NetworkModule float32, NetworkModule float64, PropertyTensors p, int caseIndex, Tensor x, Tensor margin,
        Tensor sampleClause)
    {
        var candidates = margin.le(0).nonzero().flatten();
        if (candidates.shape[0] == 0) return null;
        using var _ = no_grad();
        foreach (long i in candidates.data<long>().ToArray().Take(16))
        {
            var point = x[i].unsqueeze(0);
            var y32 = float32.forward(point).flatten().to(ScalarType.Float64).cpu().data<double>().ToArray();
            var y64 = float64.forward(point.to(ScalarType.Float64)).flatten().cpu().data<double>().ToArray();
            int clause = (int)sampleClause[i].item<long>();
            if (p.Satisfied(y32)[clause] && p.Satisfied(y64)[clause])
                return new Counterexample(point.flatten().to(ScalarType.Float64).cpu().data<double>().ToArray(), y64, y32, caseIndex, clause);
        }
        return null;
    }

    /// <summary>The float32 values nearest to <paramref name="bound"/> (float64) that lie inside the box: rounded up for a
    /// lower corner, down for an upper one.</summary>
    public static Tensor InsideFloat32(Tensor bound, bool up)
    {
        var values = bound.cpu().data<double>().ToArray();
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float f = (float)values[i];
            if (up && f < values[i]) f = MathF.BitIncrement(f);
            if (!up && f > values[i]) f = MathF.BitDecrement(f);
            result[i] = f;
        }
        return tensor(result, device: bound.device).view(bound.shape);
    }
}
