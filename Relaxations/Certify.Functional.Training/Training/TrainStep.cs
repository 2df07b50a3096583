using Certify.Functional.Networks;
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
/// </summary>
public sealed class TrainStep(TrainPlan plan, Propagators propagators, OptimizerHelper optimizer)
{
    readonly NetworkModule network = propagators.Network;
    readonly TrainConfig c = plan.Config;

    /// <summary>The step on <paramref name="x"/> [B, …], labels <paramref name="y"/> [B], after <paramref name="step"/> completed steps.</summary>
    public StepResult Apply(Tensor x, Tensor y, StepValues values, long step)
    {
        optimizer.ParamGroups.First().LearningRate = values.LearningRate;
        optimizer.zero_grad();
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

    static PieceStats Backward(Scored<PieceStats> piece)
    {
        piece.Loss.backward();
        return piece.Value;
    }

    // PGD examples at the scheduled ε from a stream per (seed, step); the network goes back to training mode.
    Tensor Adversarial(Tensor x, Tensor y, double eps, PgdOptions attack, long step)
    {
        var generator = new Generator(unchecked((ulong)(c.Seed * 1_000_003 + step)), x.device);
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
