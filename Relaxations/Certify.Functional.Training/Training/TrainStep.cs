using Certify.Functional.Networks;
using Certify.Functional.Runtime.Cluster;
using Certify.Functional.Relaxations.Domains;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Certify.Functional.Training;

/// <summary>What one optimizer step measured on its batch (means over the perturbed evaluations when the loss is smoothed).</summary>
/// <param name="LossSum">Σ loss·examples.</param>
/// <param name="Correct">Clean correct examples.</param>
/// <param name="Certified">Certified examples, or null when no abstract loss was computed (κ = 1).</param>
public sealed record StepStats(double LossSum, long Correct, long? Certified);

/// <summary>How an optimizer step ended.</summary>
public abstract record StepResult
{
    StepResult() { }

    /// <summary>The weights were updated.</summary>
    /// <param name="Stats">The step's statistics.</param>
    public sealed record Stepped(StepStats Stats) : StepResult;

    /// <summary>The loss was not finite; the weights were not updated.</summary>
    /// <param name="Loss">The first non-finite loss value.</param>
    public sealed record Diverged(double Loss) : StepResult;
}

/// <summary>
/// One optimizer step of a <see cref="TrainPlan"/> as a function of the batch, the step's scheduled values and the step's
/// index: (x, y, values, step) → <see cref="StepResult"/>. It updates the network's weights and the optimizer's state (its
/// purpose) and nothing else: statistics leave as values, and every random stream is a function of (seed, step). With loss
/// smoothing the gradient is the plan's estimate (<see cref="Rgs"/>, <see cref="Pgpe"/>) at σ = values.Sigma with noise
/// seeded by (seed, step), and the statistics are means over the perturbed evaluations (counts rounded). PGD examples are
/// computed once, at the unperturbed weights. The caller owns the dispose scope of the step (the batch's tensors live in it).
/// <para>With several ranks (<paramref name="cluster"/>) x and y are this rank's shard of a global batch: the shard's mean
/// loss is weighted by its share of the batch, the gradients and statistics are summed over the ranks, and no rank steps
/// when any rank's loss was not finite. The sum changes the order of the additions, so the weights agree with one
/// process's within float32 rounding of the gradient sums (about 1e-7 relative per step), not bit for bit; every rank
/// gets the same sum (<see cref="Cluster.Sum(float[])"/>), so the ranks' weights stay identical.</para>
/// </summary>
public sealed class TrainStep(TrainPlan plan, Propagators propagators, OptimizerHelper optimizer, Cluster? cluster = null)
{
    readonly Cluster ranks = cluster ?? Cluster.Single;
    readonly NetworkModule network = propagators.Network;
    readonly TrainConfig c = plan.Config;

    /// <summary>The step on <paramref name="x"/> [B, …], labels <paramref name="y"/> [B], after <paramref name="step"/> completed steps;
    /// with several ranks, x and y are this rank's shard of a global batch of <paramref name="globalBatch"/> examples.</summary>
    public StepResult Apply(Tensor x, Tensor y, StepValues values, long step, long? globalBatch = null)
    {
        optimizer.ParamGroups.First().LearningRate = values.LearningRate;
        optimizer.zero_grad();
        if (ranks.IsParallel) return Parallel(x, y, values, step, globalBatch ?? x.shape[0]);
        var xs = c.BatchPieces == 1 ? [x] : x.chunk(c.BatchPieces);
        var ys = c.BatchPieces == 1 ? [y] : y.chunk(c.BatchPieces);
        var inputs = plan.Mode is TrainMode.Adversarial adversarial && values.Eps > 0
            ? xs.Select((piece, p) => Adversarial(piece, ys[p], values.Eps, adversarial.Attack, step)).ToArray()
            : xs;
        var settings = plan.Loss(values);

        Scored<PieceStats> Piece(int p)
        {
            var r = CertifiedLoss.Compute(propagators, inputs[p], ys[p], settings);
            double l = r.Loss.item<float>();
            var stats = new PieceStats(l * ys[p].shape[0], r.Logits.argmax(1).eq(ys[p]).sum().item<long>(), r.Certified?.sum().item<long>(),
                double.IsFinite(l) ? null : l);
            return new Scored<PieceStats>(r.Loss / xs.Length, stats);
        }

        var pieces = Enumerable.Range(0, xs.Length).Select(p => (Func<Scored<PieceStats>>)(() => Piece(p))).ToList();
        var (evaluations, measured) = plan.Smoothing is GaussianSmoothing smoothing
            ? Smoothed(smoothing, pieces, values, step, x.device)
            : (1, pieces.Select(piece => Backward(piece())).ToList());
        var total = measured.Aggregate(PieceStats.Zero, PieceStats.Plus);
        if (total.NonFinite is { } bad) return new StepResult.Diverged(bad);
        optimizer.step();
        long Mean(long count) => evaluations == 1 ? count : (long)Math.Round((double)count / evaluations);
        return new StepResult.Stepped(new StepStats(total.LossSum / evaluations, Mean(total.Correct), total.Certified is { } k ? Mean(k) : null));
    }

    // The data-parallel step: this rank's shard, its loss weighted by shard/global, then gradients and statistics summed over
    // the ranks (an empty shard contributes zeros), and the same optimizer step everywhere unless some rank's loss was not finite.
    StepResult Parallel(Tensor x, Tensor y, StepValues values, long step, long globalBatch)
    {
        long shard = x.shape[0];
        var total = PieceStats.Zero;
        if (shard > 0)
        {
            var xs = c.BatchPieces == 1 || shard < c.BatchPieces ? [x] : x.chunk(c.BatchPieces);
            var ys = c.BatchPieces == 1 || shard < c.BatchPieces ? [y] : y.chunk(c.BatchPieces);
            var settings = plan.Loss(values);
            for (int p = 0; p < xs.Length; p++)
            {
                var input = plan.Mode is TrainMode.Adversarial adversarial && values.Eps > 0
                    ? Adversarial(xs[p], ys[p], values.Eps, adversarial.Attack, step, ranks.Rank)
                    : xs[p];
                var r = CertifiedLoss.Compute(propagators, input, ys[p], settings);
                double l = r.Loss.item<float>();
                long n = ys[p].shape[0];
                (r.Loss * ((double)n / globalBatch)).backward();       // Σ over pieces and ranks = the global batch's mean loss
                total = PieceStats.Plus(total, new PieceStats(l * n, r.Logits.argmax(1).eq(ys[p]).sum().item<long>(), r.Certified?.sum().item<long>(),
                    double.IsFinite(l) ? null : l));
            }
        }
        // [loss·examples, correct, certified, has certified, non-finite ranks, non-finite value]
        double[] stats = [total.LossSum, total.Correct, total.Certified ?? 0, total.Certified is null ? 0 : 1,
            total.NonFinite is null ? 0 : 1, total.NonFinite is { } bad ? bad : 0];
        ranks.Sum(stats);
        if (stats[4] > 0) return new StepResult.Diverged(stats[5] is var v && !double.IsFinite(v) ? v : double.NaN);
        Gradients.Sum(network.parameters(), ranks);
        optimizer.step();
        return new StepResult.Stepped(new StepStats(stats[0], (long)stats[1], stats[3] > 0 ? (long)stats[2] : null));
    }

    static PieceStats Backward(Scored<PieceStats> piece)
    {
        piece.Loss.backward();
        return piece.Value;
    }

    // PGD examples at the scheduled ε from a stream per (seed, step); the network goes back to training mode.
    // (Data parallel: a stream per (seed, step, rank), so that ranks do not start their shards from the same noise.)
    Tensor Adversarial(Tensor x, Tensor y, double eps, PgdOptions attack, long step, int rank = 0)
    {
        var generator = new Generator(unchecked((ulong)(c.Seed * 1_000_003 + step) + (ulong)rank * 0x632BE59BD9B4E019UL), x.device);
        var adversarial = Pgd.Attack(network, x, y, eps, attack, generator).Adversarial;
        network.train();
        return adversarial;
    }

    (int Evaluations, IReadOnlyList<PieceStats> Measured) Smoothed(GaussianSmoothing smoothing, IReadOnlyList<Func<Scored<PieceStats>>> pieces,
        StepValues values, long step, Device device)
    {
        using var noise = new Generator(SmoothingSeed(step), device);
        var parameters = network.parameters().Cast<Tensor>().ToList();
        var estimate = smoothing.Estimate(parameters, pieces, values.Sigma ?? smoothing.Sigma, noise);
        return (estimate.Losses.Length, estimate.Values);
    }

    // The smoothing noise of a step: its own stream per (seed, step), apart from the PGD stream of the same step.
    ulong SmoothingSeed(long step) => unchecked((ulong)(c.Seed * 1_000_003 + step) ^ 0x9E3779B97F4A7C15UL);

    /// <summary>What one loss evaluation of one piece of the batch says.</summary>
    /// <param name="LossSum">loss·examples of the piece.</param>
    /// <param name="Correct">Clean correct examples.</param>
    /// <param name="Certified">Certified examples, or null without an abstract loss.</param>
    /// <param name="NonFinite">The loss when it is not finite, else null.</param>
    readonly record struct PieceStats(double LossSum, long Correct, long? Certified, double? NonFinite)
    {
        public static PieceStats Zero { get; } = new(0, 0, null, null);

        // Sums in evaluation order; the first non-finite loss is kept.
        public static PieceStats Plus(PieceStats a, PieceStats b) => new(a.LossSum + b.LossSum, a.Correct + b.Correct,
            a.Certified is null && b.Certified is null ? null : (a.Certified ?? 0) + (b.Certified ?? 0), a.NonFinite ?? b.NonFinite);
    }
}
