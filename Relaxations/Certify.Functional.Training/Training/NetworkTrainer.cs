using Certify.Functional.Runtime;
using System.Diagnostics;
using Certify.Functional.Data;
using Certify.Functional.Errors;
using Certify.Functional.Networks;
using Certify.Functional.Training;
using Certify.Functional.Training.Schedules;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification;
using LanguageExt;
using LanguageExt.Common;
using TorchSharp;
using TorchSharp.Modules;
using static LanguageExt.Prelude;
using static TorchSharp.torch;

namespace Certify.Functional.Training;

/// <summary>How a training run is driven from outside: progress, cancellation (Ctrl-C), resumption, and a hook that
/// adjusts the freshly created network (e.g. the dataset's normalization constants).</summary>
/// <param name="Progress">Receives a report after every step and at every evaluation.</param>
/// <param name="Cancel">When cancelled, the current step finishes, a checkpoint is written and the run ends "interrupted".</param>
/// <param name="ResumeFrom">A checkpoint (<c>checkpoints/last.ckpt</c>) to continue from; its configuration is used.</param>
/// <param name="Prepare">Called once on the new network, after its starting weights (<see cref="TrainConfig.InitFrom"/>) are loaded and before any checkpoint is.</param>
/// <param name="Evaluation">Receives progress of the final evaluation (stage, done, total).</param>
/// <param name="EpochEnd">Called after every epoch's evaluation with the network, the 1-based epoch and the schedule of its
/// last step (e.g. to measure something on the network as it trains); must leave the weights unchanged.</param>
public sealed record TrainRun(IProgress<TrainProgress>? Progress = null, CancellationToken Cancel = default, string? ResumeFrom = null,
    Action<NetworkModule>? Prepare = null, Action<string, int, int>? Evaluation = null, Action<NetworkModule, int, StepValues>? EpochEnd = null);

/// <summary>
/// The certified-training pipeline for one network (training.md §4.1): data order → batches → loss → step → schedules →
/// evaluation → checkpoint, over an immutable, validated <see cref="TrainConfig"/>. The propagators of the network are
/// bound once at construction — generated networks get a trainer from their generated <c>Trainer(config)</c> entry point
/// (straight-line propagators, no run-time dispatch), loaded networks from <see cref="Interpreted"/>.
/// <para>Everything that varies over the run is a pure function of (seed, epoch, batch): the data order, ε/κ/β
/// (<see cref="PhaseSchedule"/>), the learning rate (<see cref="LrSchedule.Rate"/>), the PGD noise, and the σ and weight
/// noise of loss smoothing (<see cref="Rgs"/>, <see cref="Pgpe"/>). A checkpoint therefore holds only weights, the
/// optimizer's state and the position, and a resumed run ends bit-identical to an uninterrupted one. One dispose scope
/// per step (smoothing nests one per perturbed evaluation, so a step's peak memory is one evaluation's); only scalars
/// leave a step.</para>
/// </summary>
public sealed class NetworkTrainer
{
    readonly Func<NetworkModule> create;
    static readonly object SeedLock = new();
    readonly Func<NetworkModule, Propagators> bind;

    /// <summary>A trainer for networks made by <paramref name="create"/> whose propagators <paramref name="bind"/> selects.</summary>
    public NetworkTrainer(TrainConfig config, Func<NetworkModule> create, Func<NetworkModule, Propagators> bind)
    {
        Config = config;
        this.create = create;
        this.bind = bind;
    }

    /// <summary>A trainer that interprets the network layer by layer (networks loaded from a description).</summary>
    public static NetworkTrainer Interpreted(TrainConfig config, Func<NetworkModule> create) => new(config, create, Propagators.Interpreted);

    /// <summary>The configuration.</summary>
    public TrainConfig Config { get; }

    /// <summary>The same trainer with another configuration (e.g. the one stored in a checkpoint).</summary>
    public NetworkTrainer With(TrainConfig config) => new(config, create, bind);

    /// <summary>The parsed train domain and verify domains of <paramref name="config"/>, or every problem found.</summary>
    public static Fin<(Domain Train, IReadOnlyList<Domain> Verify)> Domains(TrainConfig config)
    {
        var train = Domain.Parse(config.Domain);
        if (train.IsFail) return train.Map(_ => default((Domain, IReadOnlyList<Domain>)));
        var names = config.VerifyDomains.Count > 0 ? config.VerifyDomains : [config.Mode == "certified" ? config.Domain : "box"];
        var verify = new List<Domain>();
        foreach (var name in names)
        {
            var d = Domain.Parse(name);
            if (d.IsFail) return d.Map(_ => default((Domain, IReadOnlyList<Domain>)));
            var domain = (Domain)d;
            if (domain.Unsoundness is { } why)
                return FinFail<(Domain, IReadOnlyList<Domain>)>(Error.New(ErrorCodes.InvalidConfig, $"--verify-domains: {why} (It can still be trained with.)"));
            verify.Add(domain);
        }
        var t = (Domain)train;
        if (config.Mode == "certified" && t is TriangleLpDomain)
            return FinFail<(Domain, IReadOnlyList<Domain>)>(Error.New(ErrorCodes.InvalidConfig,
                "triangle-lp is an exact LP without gradients; train with 'alpha-crown' (the differentiable Triangle) instead."));
        return FinSucc<(Domain, IReadOnlyList<Domain>)>((t, verify));
    }

    /// <summary>Trains (or resumes) and evaluates; writes checkpoints, results.json, summary.md and per_image.csv into
    /// the configured output folder.</summary>
    public Fin<TrainOutcome> Run(Dataset train, Dataset test, TrainRun? run = null)
    {
        run ??= new TrainRun();
        var config = Config;
        if (run.ResumeFrom is { } resumePath)
        {
            var header = Checkpoint.ReadHeader(resumePath);
            if (header.IsFail) return header.Map(_ => default(TrainOutcome)!);
            config = ((CheckpointHeader)header).Config;
        }
        var domains = Domains(config);
        if (domains.IsFail) return domains.Map(_ => default(TrainOutcome)!);
        var (trainDomain, verifyDomains) = ((Domain, IReadOnlyList<Domain>))domains;
        if (train.Count == 0) return FinFail<TrainOutcome>(Error.New(ErrorCodes.NoDataFiles, "The training set is empty."));

        var device = Devices.Parse(config.Device);
        NetworkModule created;
        lock (SeedLock)                     // torch's global generator: runs on parallel threads stay deterministic
        {
            torch.manual_seed(config.Seed);
            created = create();
            if (config.Init == "ibp") Initialization.Ibp(created);
        }
        using var network = created;
        if (config.InitFrom is { } from && run.ResumeFrom is null && StateDict.Load(network, from) is { IsFail: true } start)
            return FinFail<TrainOutcome>(Error.New(((Error)start).Code, $"Starting weights (--init-from): {((Error)start).Message}"));
        run.Prepare?.Invoke(network);
        network.to(device);
        using var optimizer = CreateOptimizer(config, network);
        var state = TrainingState.Start;
        if (run.ResumeFrom is { } path)
        {
            var loaded = Checkpoint.Load(path, network, optimizer);
            if (loaded.IsFail) return loaded.Map(_ => default(TrainOutcome)!);
            state = ((CheckpointHeader)loaded).State;
        }
        var loop = new Loop(config, trainDomain, bind(network), optimizer, train, test, run);
        var trained = loop.Train(state);
        if (trained.IsFail) return trained;
        var outcome = (TrainOutcome)trained;
        if (outcome.Status != "completed") return outcome;

        var evaluation = FinalEvaluation.Run(network, test, config, verifyDomains, device, run.Evaluation);
        outcome = outcome with { Evaluation = evaluation };
        RunReport.Write(outcome, TimeSpan.FromSeconds(loop.Seconds));
        return FinSucc(outcome);
    }

    static OptimizerHelper CreateOptimizer(TrainConfig c, NetworkModule network) => c.Optimizer == "sgd"
        ? optim.SGD(network.parameters(), c.LearningRate, momentum: 0.9, weight_decay: 5e-4)
        : optim.Adam(network.parameters(), lr: c.LearningRate);

    /// <summary>The step loop of one run (mutable position, immutable everything else).</summary>
    sealed class Loop(TrainConfig c, Domain domain, Propagators propagators, OptimizerHelper optimizer, Dataset train, Dataset test, TrainRun run)
    {
        readonly NetworkModule network = propagators.Network;
        readonly Device device = Devices.Parse(c.Device);
        readonly long batchesPerEpoch = (train.Count + c.BatchSize - 1) / c.BatchSize;
        readonly SpecKind kind = c.Spec == "eye" ? SpecKind.Eye : SpecKind.Diffs;
        readonly Stopwatch clock = new();
        double secondsBefore;
        string lastCheckpoint = "(none yet)";

        public double Seconds => secondsBefore + clock.Elapsed.TotalSeconds;

        long WarmupSteps => (long)Math.Round(c.WarmupEpochs * batchesPerEpoch);
        long MixSteps => (long)Math.Round(c.MixEpochs * batchesPerEpoch);

        bool Smoothed => c.Smoothing != "none";

        /// <summary>ε, κ, β, learning rate and smoothing σ of the step after <paramref name="step"/> completed steps
        /// (training.md §4.2); σ decays linearly from --sigma towards --sigma-end over the run's steps.</summary>
        StepValues Values(long step, int epoch, long batch)
        {
            double At(double start, double end) => new PhaseSchedule(start, end, WarmupSteps, MixSteps).At(step);
            double lr = LrSchedule.Rate(c, epoch, batch, batchesPerEpoch);
            double? sigma = Smoothed
                ? new PhaseSchedule(c.SmoothingSigma, c.SmoothingSigmaEnd ?? c.SmoothingSigma, 0, c.Epochs * batchesPerEpoch).At(step)
                : null;
            if (c.Mode == "natural") return new StepValues(0, 1, 1, lr, sigma);
            double kappa = c.Mode == "certified" && step >= WarmupSteps ? At(c.Kappa1, c.Kappa2) : 1;   // κ = 1 in warm-up
            return new StepValues(At(c.EpsStart, c.Eps), kappa, At(c.Beta1, c.Beta2), lr, sigma);
        }

        /// <summary>Whether progress and epoch statistics carry the schedule (not for plain natural training).</summary>
        StepValues? Logged(StepValues v) => c.Mode == "natural" && !Smoothed ? null : v;

        public Fin<TrainOutcome> Train(TrainingState state)
        {
            using var guard = GcGuard.Open();
            secondsBefore = state.Seconds;
            clock.Start();
            var epochs = state.Epochs.ToList();
            long step = state.Step;
            for (int epoch = state.Epoch; epoch < c.Epochs; epoch++)
            {
                network.train();
                var batches = Shuffle.Batches(Shuffle.Permutation(train.Count, unchecked((ulong)c.Seed), epoch), c.BatchSize).ToList();
                bool resumedEpoch = epoch == state.Epoch;
                var tally = resumedEpoch ? state.Tally : EpochTally.Empty;
                var epochClock = Stopwatch.StartNew();
                double epochSecondsBefore = tally.Seconds;
                StepValues values = Values(step, epoch, 0);
                for (int b = resumedEpoch ? state.Batch : 0; b < batches.Count; b++)
                {
                    if (run.Cancel.IsCancellationRequested)
                    {
                        var position = new TrainingState(step, epoch, b, tally with { Seconds = epochSecondsBefore + epochClock.Elapsed.TotalSeconds }, epochs, Seconds);
                        var saved = Save(position);
                        if (saved.IsFail) return saved.Map(_ => default(TrainOutcome)!);
                        return Finish(epochs, "interrupted", position);
                    }
                    values = Values(step, epoch, b);
                    guard.SafePoint();
                    var stepped = Step(batches[b], values, step, epoch, b);
                    if (stepped.IsFail) return stepped.Map(_ => default(TrainOutcome)!);
                    var (lossSum, correct, certified) = ((double, long, long?))stepped;
                    step++;
                    int n = batches[b].Length;
                    tally = new EpochTally(tally.LossSum + lossSum, tally.Correct + correct, tally.Certified + (certified ?? 0),
                        tally.CertifiedSeen + (certified is null ? 0 : n), tally.Seen + n, epochSecondsBefore + epochClock.Elapsed.TotalSeconds);
                    Report(epoch, b + 1, batches.Count, tally, values, "train");
                    if (c.CheckpointEvery > 0 && step % c.CheckpointEvery == 0 && b + 1 < batches.Count)
                    {
                        var saved = Save(new TrainingState(step, epoch, b + 1, tally, epochs, Seconds));
                        if (saved.IsFail) return saved.Map(_ => default(TrainOutcome)!);
                    }
                }

                Report(epoch, batches.Count, batches.Count, tally, values, "eval");
                var eval = Evaluation.Clean(network, test, 1000, device, c.TestLimit);
                run.Progress?.Report(Progress(epoch, batches.Count, batches.Count, tally, values, "epoch") with { TestAccuracy = eval.Accuracy });
                run.EpochEnd?.Invoke(network, epoch + 1, values);
                var weights = Path.Combine(c.OutDir, "checkpoints", $"epoch-{epoch + 1}.pt");
                var written = StateDict.Save(network, weights);
                if (written.IsFail) return written.Map(_ => default(TrainOutcome)!);
                epochs.Add(new EpochStats(epoch + 1, tally.Loss, tally.Accuracy, eval.Correct, eval.Total, tally.Seconds,
                    tally.Seen / Math.Max(tally.Seconds, 1e-9), weights, tally.CertifiedAccuracy, Logged(values)));
                var end = new TrainingState(step, epoch + 1, 0, EpochTally.Empty, epochs, Seconds);
                var ended = Save(end);
                if (ended.IsFail) return ended.Map(_ => default(TrainOutcome)!);
                if (epoch + 1 < c.Epochs) RunReport.Write(new TrainOutcome(c, epochs, "running", weights), TimeSpan.FromSeconds(Seconds));
            }

            var final = Path.Combine(c.OutDir, "model.pt");
            var finalSaved = StateDict.Save(network, final);
            if (finalSaved.IsFail) return finalSaved.Map(_ => default(TrainOutcome)!);
            var outcome = new TrainOutcome(c, epochs, "completed", final);
            RunReport.Write(outcome, TimeSpan.FromSeconds(Seconds));
            return FinSucc(outcome);
        }

        // One optimizer step: (Σ loss·n, clean correct, certified count or null), or a NonFinite failure. With loss
        // smoothing the gradient is Rgs's or Pgpe's estimate at σ = v.Sigma with noise from a generator seeded by
        // (seed, step), and the statistics are means over the perturbed evaluations (counts rounded). PGD examples are
        // computed once, at the unperturbed weights.
        Fin<(double, long, long?)> Step(int[] batch, StepValues v, long step, int epoch, int b)
        {
            using var scope = NewDisposeScope();
            optimizer.ParamGroups.First().LearningRate = v.LearningRate;
            var (x, y) = train.Batch(batch, device);
            optimizer.zero_grad();
            double lossSum = 0;
            long correct = 0, certifiedCount = 0;
            bool anyCertified = false;
            double? nonFinite = null;
            var xs = c.BatchPieces == 1 ? [x] : x.chunk(c.BatchPieces);
            var ys = c.BatchPieces == 1 ? [y] : y.chunk(c.BatchPieces);
            var inputs = new Tensor[xs.Length];
            for (int p = 0; p < xs.Length; p++)
            {
                inputs[p] = xs[p];
                if (c.Mode == "pgd" && v.Eps > 0)
                {
                    var generator = new Generator(unchecked((ulong)(c.Seed * 1_000_003 + step)), device);
                    inputs[p] = Pgd.Attack(network, xs[p], ys[p], v.Eps, new PgdOptions(c.PgdSteps, c.PgdStepSize), generator).Adversarial;
                    network.train();
                }
            }

            Tensor PieceLoss(int p)
            {
                var r = CertifiedLoss.Compute(propagators, inputs[p], ys[p], domain, v.Eps, v.Kappa, v.Beta, c.Regularization, kind,
                    squared: c.RegularizationKind == "l2");
                double l = r.Loss.item<float>();
                if (!double.IsFinite(l)) nonFinite ??= l;
                lossSum += l * ys[p].shape[0];
                correct += r.Logits.argmax(1).eq(ys[p]).sum().item<long>();
                if (r.Certified is { } cert) { anyCertified = true; certifiedCount += cert.sum().item<long>(); }
                return r.Loss / xs.Length;
            }

            int evaluations = 1;
            if (!Smoothed)
                for (int p = 0; p < xs.Length; p++) PieceLoss(p).backward();
            else
            {
                using var noise = new Generator(SmoothingSeed(step), device);
                var pieces = Enumerable.Range(0, xs.Length).Select(p => (Func<Tensor>)(() => PieceLoss(p))).ToList();
                var parameters = network.parameters().Cast<Tensor>().ToList();
                double sigma = v.Sigma ?? c.SmoothingSigma;
                evaluations = (c.Smoothing == "pgpe"
                    ? Pgpe.Gradient(parameters, pieces, sigma, c.SmoothingSamples, noise)
                    : Rgs.Gradient(parameters, pieces, sigma, c.SmoothingSamples, noise)).Length;
            }
            if (nonFinite is { } bad)
            {
                var inv = System.Globalization.CultureInfo.InvariantCulture;
                string sigmaText = v.Sigma is { } s ? string.Create(inv, $", σ {s:G4}") : "";
                return FinFail<(double, long, long?)>(Error.New(ErrorCodes.NonFinite, string.Create(inv,
                    $"Training loss became {bad} at step {step + 1} (epoch {epoch + 1}, batch {b + 1}, ε {v.Eps:G4}, κ {v.Kappa:G4}, β {v.Beta:G4}, lr {v.LearningRate:G4}{sigmaText}); " +
                    $"the weights were not updated. Last good checkpoint: {lastCheckpoint}. Lower the learning rate or ε, or resume from the checkpoint.")));
            }
            optimizer.step();
            long Mean(long count) => evaluations == 1 ? count : (long)Math.Round((double)count / evaluations);
            return FinSucc<(double, long, long?)>((lossSum / evaluations, Mean(correct), anyCertified ? Mean(certifiedCount) : null));
        }

        // The smoothing noise of a step: its own stream per (seed, step), apart from the PGD stream of the same step.
        ulong SmoothingSeed(long step) => unchecked((ulong)(c.Seed * 1_000_003 + step) ^ 0x9E3779B97F4A7C15UL);

        Fin<Unit> Save(TrainingState state)
        {
            var path = Path.Combine(c.OutDir, "checkpoints", "last.ckpt");
            var saved = Checkpoint.Save(path, c, state, network, optimizer);
            if (saved.IsSucc) lastCheckpoint = $"{path} (step {state.Step})";
            return saved;
        }

        Fin<TrainOutcome> Finish(List<EpochStats> epochs, string status, TrainingState position)
        {
            var outcome = new TrainOutcome(c, epochs, status, Path.Combine(c.OutDir, "checkpoints", "last.ckpt"));
            RunReport.Write(outcome, TimeSpan.FromSeconds(position.Seconds));
            return FinSucc(outcome);
        }

        TrainProgress Progress(int epoch, int batch, int batches, EpochTally t, StepValues v, string phase)
        {
            double ips = t.Seen / Math.Max(t.Seconds, 1e-9);
            long remaining = (c.Epochs - epoch - 1) * (long)train.Count + (train.Count - t.Seen);
            return new TrainProgress(epoch + 1, c.Epochs, batch, batches, t.Loss, t.Accuracy, ips,
                TimeSpan.FromSeconds(Math.Min(remaining / Math.Max(ips, 1e-9), TimeSpan.MaxValue.TotalSeconds / 2)), phase, null,
                Logged(v), t.CertifiedAccuracy);
        }

        void Report(int epoch, int batch, int batches, EpochTally t, StepValues v, string phase) =>
            run.Progress?.Report(Progress(epoch, batch, batches, t, v, phase));
    }
}
