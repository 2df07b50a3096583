using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Verification.Optimization;

/// <summary>The best slopes found per row (detached, in [0, 1]), the objective they reach per row (detached) and the
/// objective at the starting point. Tensors belong to the caller's dispose scope.</summary>
/// <param name="Slopes">One per optimised ReLU, [B, R, …] (the shapes of the starting point).</param>
/// <param name="Best">Best objective per row, [B, R].</param>
/// <param name="Initial">Objective at the starting point, [B, R] (≤ <see cref="Best"/> by construction).</param>
public sealed record SlopeAscentResult(IReadOnlyList<Tensor> Slopes, Tensor Best, Tensor Initial);

/// <summary>
/// Projected gradient ascent of a bound over lower slopes α ∈ [0, 1] (α-CROWN, Xu et al. 2021, §3.1): Adam (or signed
/// steps) on Σ rows, projection by clamping, and per row the best iterate so far. Any α ∈ [0, 1] gives a sound bound
/// (every lower line αx, 0 ≤ α ≤ 1, lies below relu on [l, u]), so every iterate, and the best one, is sound; keeping the
/// best makes the result never worse than the starting point, even when a step overshoots.
/// The objective must be row-separable: row r of the bound depends only on row r of every α (true for
/// back-substitution, whose spec rows never mix). Autograd is enabled locally for the leaves α only (the objective's
/// other inputs should be detached); each step runs in its own dispose scope and no graph outlives its step.
/// </summary>
public static class SlopeAscent
{
    const double Beta1 = 0.9, Beta2 = 0.999, AdamEps = 1e-8;

    /// <summary>Maximises every row of <paramref name="objective"/> (α list → [B, R]) from <paramref name="start"/>
    /// (each [B, R, …], not modified). Every variable is projected onto [0, 1], except those that
    /// <paramref name="unbounded"/> marks (β-CROWN's multipliers): onto [0, ∞).</summary>
    public static SlopeAscentResult Maximize(Func<IReadOnlyList<Tensor>, Tensor> objective, IReadOnlyList<Tensor> start, AlphaCrownOptions options,
        IReadOnlyList<bool>? unbounded = null)
    {
        using var grad = enable_grad();
        Tensor Project(Tensor t, int k) => unbounded is not null && unbounded[k] ? t.clamp_min(0) : t.clamp(0, 1);
        var alpha = start.Select((a, k) => Project(a.detach(), k)).ToArray();
        var m = alpha.Select(a => zeros_like(a)).ToArray();
        var v = alpha.Select(a => zeros_like(a)).ToArray();
        var bestAlpha = alpha.Select(a => a.clone()).ToArray();
        Tensor best = null!, initial = null!;
        for (int t = 0; t <= options.Steps; t++)
        {
            using var scope = NewDisposeScope();
            var leaves = alpha.Select(a => a.detach().requires_grad_(true)).ToArray();
            var value = objective(leaves);
            var now = value.detach();
            if (t == 0)
            {
                (best, initial) = (now.clone(), now.clone());
                scope.MoveToOuter(best, initial);
            }
            else
            {
                var better = now.gt(best);
                var nextBest = where(better, now, best);
                var nextAlpha = bestAlpha.Select((b, k) => where(Rows(better, b), alpha[k], b)).ToArray();
                Replace(scope, ref best, nextBest);
                Replace(scope, bestAlpha, nextAlpha);
            }
            if (t == options.Steps) break;
            var g = autograd.grad([value.sum()], leaves, allow_unused: true);
            double lr = options.LearningRate * Math.Pow(options.Decay, t);
            var next = new Tensor[alpha.Length];
            var nextM = new Tensor[alpha.Length];
            var nextV = new Tensor[alpha.Length];
            for (int k = 0; k < alpha.Length; k++)
            {
                var gk = g[k] is { IsInvalid: false } gradient ? gradient : zeros_like(alpha[k]);   // unused α: no gradient
                if (options.Signed)
                {
                    (nextM[k], nextV[k]) = (m[k].alias(), v[k].alias());
                    next[k] = Project(alpha[k] + lr * gk.sign(), k);
                }
                else
                {
                    nextM[k] = m[k] * Beta1 + gk * (1 - Beta1);
                    nextV[k] = v[k] * Beta2 + gk.square() * (1 - Beta2);
                    var mHat = nextM[k] / (1 - Math.Pow(Beta1, t + 1));
                    var vHat = nextV[k] / (1 - Math.Pow(Beta2, t + 1));
                    next[k] = Project(alpha[k] + lr * mHat / (vHat.sqrt() + AdamEps), k);
                }
            }
            Replace(scope, alpha, next);
            Replace(scope, m, nextM);
            Replace(scope, v, nextV);
        }
        foreach (var t in alpha.Concat(m).Concat(v)) t.Dispose();
        return new SlopeAscentResult(bestAlpha, best, initial);
    }

    // better [B, R] as a mask over α [B, R, …].
    static Tensor Rows(Tensor better, Tensor alpha) =>
        better.view([.. better.shape, .. Enumerable.Repeat(1L, (int)alpha.dim() - 2)]);

    // State tensors live in the caller's scope; each step's replacement leaves the step's scope and the old one is freed
    // at once, so memory stays flat over the iterations.
    static void Replace(DisposeScope scope, ref Tensor state, Tensor next)
    {
        scope.MoveToOuter(next);
        state.Dispose();
        state = next;
    }

    static void Replace(DisposeScope scope, Tensor[] state, Tensor[] next)
    {
        for (int k = 0; k < state.Length; k++) Replace(scope, ref state[k], next[k]);
    }
}
