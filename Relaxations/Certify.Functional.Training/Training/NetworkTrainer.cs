using System.Diagnostics;
using System.Globalization;
using Certify.Functional.Data;
using Certify.Functional.Errors;
using Certify.Functional.Networks;
using Certify.Functional.Onnx;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Runtime;
using Certify.Functional.Runtime.Cluster;
using Certify.Functional.Training.Schedules;
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
/// <param name="Cancel">When cancelled, the current step finishes, a checkpoint is written and the run ends interrupted.</param>
/// <param name="ResumeFrom">A checkpoint (<c>checkpoints/last.ckpt</c>) to continue from; its configuration is used.</param>
/// <param name="Prepare">Called once on the new network, after its starting weights (<see cref="TrainConfig.InitFrom"/>) are loaded and before any checkpoint is.</param>
/// <param name="Evaluation">Receives progress of the final evaluation (stage, done, total).</param>
/// <param name="EpochEnd">Called after every epoch's evaluation with the network, the 1-based epoch and the schedule of its
/// last step (e.g. to measure something on the network as it trains); must leave the weights unchanged.</param>
/// <param name="Cluster">The ranks that train together (data parallelism, docs/cluster.md); one process when null. Every
/// rank calls <see cref="NetworkTrainer.Run(TrainPlan, Dataset, Dataset, TrainRun?)"/> with the same plan and data; rank 0
/// alone writes files.</param>
public sealed record TrainRun(IProgress<TrainProgress>? Progress = null, CancellationToken Cancel = default, string? ResumeFrom = null,
    Action<NetworkModule>? Prepare = null, Action<string, int, int>? Evaluation = null, Action<NetworkModule, int, StepValues>? EpochEnd = null,
    Cluster? Cluster = null);

/// <summary>
/// The certified-training pipeline for one network (training.md §4.1): data order → batches → loss → step → schedules →
/// evaluation → checkpoint, over a <see cref="TrainPlan"/> built once per run. The propagators of the network are bound once
/// at construction — generated networks get a trainer from their generated <c>Trainer(config)</c> entry point
/// (straight-line propagators, no run-time dispatch), loaded networks from <see cref="Interpreted"/>.
/// <para>Each optimizer step is a <see cref="TrainStep"/>: a function of the batch and the step's scheduled values whose
/// statistics leave as values. Around it a thin shell owns what has effects: the clock, cancellation, progress reports,
/// checkpoints, per-epoch evaluation and weights, results.json and summary.md. Everything that varies over the run is a pure
/// function of (seed, epoch, batch): the data order, ε/κ/β and σ (<see cref="RunSchedule"/>), the learning rate
/// (<see cref="LearningRates"/>), the PGD noise and the weight noise of loss smoothing (<see cref="Rgs"/>, <see cref="Pgpe"/>).
/// A checkpoint therefore holds only weights, the optimizer's state and the position, and a resumed run ends bit-identical
/// to an uninterrupted one. One dispose scope per step (smoothing nests one per perturbed evaluation, so a step's peak memory
/// is one evaluation's); only scalars leave a step.</para>
/// <para>Data parallel (<see cref="TrainRun.Cluster"/> with several ranks): every rank holds the same weights and optimizer
/// state and walks the same global batches; each takes its contiguous shard of every batch, and the gradients are summed
/// over the ranks (each shard's mean loss weighted by its share of the batch) before the identical optimizer step. Rank 0
/// writes checkpoints, weights and reports; a checkpoint is the same whatever the number of ranks, so a run resumes under
/// any number. Stop requests are agreed once per step, so all ranks stop after the same one.</para>
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

    /// <summary>Trains (or resumes, with the checkpoint's configuration) and evaluates <see cref="Config"/>'s plan; writes
    /// checkpoints, results.json, summary.md and per_image.csv into the configured output folder.</summary>
    public Fin<TrainOutcome> Run(Dataset train, Dataset test, TrainRun? run = null) =>
        from config in run?.ResumeFrom is { } path ? Checkpoint.ReadHeader(path).Map(header => header.Config) : FinSucc(Config)
        from plan in TrainPlan.From(config)
        from outcome in Run(plan, train, test, run)
        select outcome;

    /// <summary>Trains and evaluates <paramref name="plan"/> (built once by the caller; when resuming, from the checkpoint's
    /// configuration); writes checkpoints, results.json, summary.md and per_image.csv into the plan's output folder.</summary>
    public Fin<TrainOutcome> Run(TrainPlan plan, Dataset train, Dataset test, TrainRun? run = null)
    {
        run ??= new TrainRun();
        if (train.Count == 0) return FinFail<TrainOutcome>(Error.New(ErrorCodes.NoDataFiles, "The training set is empty."));
        var cluster = run.Cluster ?? Cluster.Single;
        if (cluster.IsParallel && plan.Smoothing is GaussianSmoothing)
            return FinFail<TrainOutcome>(Error.New(ErrorCodes.NotParallel,
                $"loss smoothing (--smoothing {plan.Config.Smoothing}) does not train data-parallel yet; run it as one process (without mpirun/srun)."));
        var config = plan.Config;
        var device = plan.Device.Open();
        NetworkModule created;
        lock (SeedLock)                     // torch's global generator: runs on parallel threads stay deterministic
        {
            torch.manual_seed(config.Seed);
            created = create();
            if (plan.Init is WeightInit.Ibp) Initialization.Ibp(created);
        }
        using var network = created;
        return StartingWeights(network, config, run).Bind(_ =>
        {
            run.Prepare?.Invoke(network);
            network.to(device);
            using var optimizer = plan.Optimizer.Create(network.parameters());
            return from state in run.ResumeFrom is { } path ? Checkpoint.Load(path, network, optimizer).Map(header => header.State) : FinSucc(TrainingState.Start)
                   from agreed in SameStart(cluster, config, state)
                   let shell = new Shell(plan, new TrainStep(plan, bind(network), optimizer, cluster), network, optimizer, train, test, run, device, cluster)
                   from trained in shell.Train(state)
                   select trained.Status is RunStatus.Completed ? Evaluated(plan, trained, network, test, device, run, cluster, () => shell.Seconds) : trained;
        });
    }

    // The ranks of a job start from the same point: the same output folder and step, and the same weights (a rank that
    // cannot see rank 0's checkpoint, e.g. on a folder that is not shared between machines, would otherwise start afresh).
    // The barrier also keeps rank 0 from writing a checkpoint before every rank has read the one it resumes from.
    static Fin<Unit> SameStart(Cluster cluster, TrainConfig config, TrainingState state)
    {
        if (!cluster.IsParallel) return unit;
        bool same = cluster.Agree(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFullPath(config.OutDir)}|{state.Step}|{state.Epoch}|{state.Batch}"));
        cluster.Barrier();
        return same ? unit : FinFail<Unit>(Error.New(ErrorCodes.ClusterUnavailable,
            $"the ranks do not start from the same point (rank {cluster.Rank}: folder {Path.GetFullPath(config.OutDir)}, step {state.Step}); " +
            "the output folder must be one folder shared by every machine of the job."));
    }

    // Fine-tuning: the given weights replace the initialization (not when resuming: the checkpoint has the weights).
    static Fin<Unit> StartingWeights(NetworkModule network, TrainConfig config, TrainRun run) =>
        config.InitFrom is { } from && run.ResumeFrom is null
            ? Weights(network, from).Match(Succ: FinSucc, Fail: e => FinFail<Unit>(Error.New(e.Code, $"Starting weights (--init-from): {e.Message}")))
            : FinSucc(unit);

    // A PyTorch state dict, or an ONNX model (.onnx, .onnx.gz) of the same architecture (docs/onnx.md).
    static Fin<Unit> Weights(NetworkModule network, string path) =>
        !OnnxImport.IsOnnxPath(path)
            ? StateDict.Load(network, path)
            : from imported in OnnxImport.Load(path)
              from fitted in imported.ForInput(network.Description.Input, path)
              from same in fitted.HasArchitectureOf(network.Description) ? FinSucc(unit)
                  : FinFail<Unit>(Error.New(ErrorCodes.InvalidConfig,
                      $"the ONNX file '{path}' holds {ImportedNetwork.Summary(fitted.Description)}, not the network trained ({ImportedNetwork.Summary(network.Description)})."))
              from copied in StateDict.Copy(network, fitted.Parameters, $"ONNX file '{path}'")
              select copied;

    // The final evaluation of a completed run, added to its outcome and reports (the run's wall time includes it).
    static TrainOutcome Evaluated(TrainPlan plan, TrainOutcome trained, NetworkModule network, Dataset test, Device device, TrainRun run,
        Cluster cluster, Func<double> seconds)
    {
        var outcome = trained with { Evaluation = FinalEvaluation.Run(network, test, plan, device, run.Evaluation, cluster) };
        if (cluster.IsRoot) RunReport.Write(plan, outcome, TimeSpan.FromSeconds(seconds()), cluster.Size);
        return outcome;
    }

    /// <summary>The I/O shell around the steps of one run: it owns the clock, cancellation, progress, checkpoints, per-epoch
    /// evaluation and reports. The position moves through the run as a value (<see cref="Position"/>), a failure ends it.</summary>
    sealed class Shell(TrainPlan plan, TrainStep step, NetworkModule network, OptimizerHelper optimizer, Dataset train, Dataset test, TrainRun run,
        Device device, Cluster cluster)
    {
        readonly TrainConfig c = plan.Config;
        readonly RunSchedule schedule = plan.Schedule((train.Count + plan.Config.BatchSize - 1) / plan.Config.BatchSize);   // batches per epoch
        readonly Stopwatch clock = new();
        double secondsBefore;
        string lastCheckpoint = "(none yet)";

        public double Seconds => secondsBefore + clock.Elapsed.TotalSeconds;

        /// <summary>Where the run stands between two steps.</summary>
        /// <param name="Step">Optimizer steps completed.</param>
        /// <param name="Tally">Running sums of the epoch in progress.</param>
        /// <param name="Values">The schedule of the last step (of the epoch's first when none ran yet).</param>
        /// <param name="Epochs">Every completed epoch.</param>
        /// <param name="Stopped">The outcome, once the run was interrupted.</param>
        sealed record Position(long Step, EpochTally Tally, StepValues Values, IReadOnlyList<EpochStats> Epochs, TrainOutcome? Stopped = null);

        public Fin<TrainOutcome> Train(TrainingState start)
        {
            using var guard = GcGuard.Open();
            secondsBefore = start.Seconds;
            clock.Start();
            var begin = new Position(start.Step, start.Tally, schedule.At(start.Step, start.Epoch, 0), start.Epochs);
            return Enumerable.Range(start.Epoch, Math.Max(0, c.Epochs - start.Epoch))
                .Aggregate(FinSucc(begin), (at, epoch) => at.Bind(p => p.Stopped is null ? Epoch(p, epoch, start, guard) : FinSucc(p)))
                .Bind(p => p.Stopped is { } outcome ? FinSucc(outcome) : Completed(p.Epochs));
        }

        Fin<Position> Epoch(Position at, int epoch, TrainingState start, GcGuard guard)
        {
            network.train();
            var batches = Shuffle.Batches(Shuffle.Permutation(train.Count, unchecked((ulong)c.Seed), epoch), c.BatchSize).ToList();
            bool resumed = epoch == start.Epoch;
            var tally = resumed ? start.Tally : EpochTally.Empty;
            var epochClock = Stopwatch.StartNew();
            double epochSecondsBefore = tally.Seconds;
            double Elapsed() => epochSecondsBefore + epochClock.Elapsed.TotalSeconds;
            var first = at with { Tally = tally, Values = schedule.At(at.Step, epoch, 0) };
            int from = resumed ? start.Batch : 0;
            return Enumerable.Range(from, Math.Max(0, batches.Count - from))
                .Aggregate(FinSucc(first), (now, b) => now.Bind(p => p.Stopped is null ? Batch(p, epoch, b, batches, Elapsed, guard) : FinSucc(p)))
                .Bind(p => p.Stopped is null ? EndOfEpoch(p, epoch, batches.Count) : FinSucc(p));
        }

        Fin<Position> Batch(Position at, int epoch, int b, IReadOnlyList<int[]> batches, Func<double> elapsed, GcGuard guard)
        {
            if (cluster.Any(run.Cancel.IsCancellationRequested))          // every rank stops after the same step
            {
                var position = new TrainingState(at.Step, epoch, b, at.Tally with { Seconds = elapsed() }, at.Epochs, Seconds);
                return Save(position).Map(_ => at with { Stopped = Finish(at.Epochs, RunStatus.Interrupted, position) });
            }
            var values = schedule.At(at.Step, epoch, b);
            guard.SafePoint();
            StepResult result;
            using (NewDisposeScope())
            {
                var (start, length) = cluster.Shard(batches[b].Length);          // this rank's part of the global batch
                var (x, y) = train.Batch(batches[b].AsSpan(start, length), device);
                result = step.Apply(x, y, values, at.Step, batches[b].Length);
            }
            return result switch
            {
                StepResult.Stepped stepped => Advance(at, stepped.Stats, values, epoch, b, batches, elapsed),
                StepResult.Diverged diverged => FinFail<Position>(NonFinite(diverged.Loss, at.Step, epoch, b, values)),
                _ => throw new UnreachableException(),
            };
        }

        Fin<Position> Advance(Position at, StepStats stats, StepValues values, int epoch, int b, IReadOnlyList<int[]> batches, Func<double> elapsed)
        {
            long done = at.Step + 1;
            var tally = at.Tally.Plus(stats, batches[b].Length, elapsed());
            var next = at with { Step = done, Tally = tally, Values = values };
            Report(epoch, b + 1, batches.Count, tally, values, TrainPhase.Train);
            return c.CheckpointEvery > 0 && done % c.CheckpointEvery == 0 && b + 1 < batches.Count
                ? Save(new TrainingState(done, epoch, b + 1, tally, at.Epochs, Seconds)).Map(_ => next)
                : FinSucc(next);
        }

        Fin<Position> EndOfEpoch(Position at, int epoch, int batches)
        {
            var (tally, values) = (at.Tally, at.Values);
            Report(epoch, batches, batches, tally, values, TrainPhase.Eval);
            var eval = Evaluation.Clean(network, test, 1000, device, c.TestLimit);
            run.Progress?.Report(Progress(epoch, batches, batches, tally, values, TrainPhase.Epoch) with { TestAccuracy = eval.Accuracy });
            run.EpochEnd?.Invoke(network, epoch + 1, values);
            var weights = Path.Combine(c.OutDir, "checkpoints", $"epoch-{epoch + 1}.pt");
            var stats = new EpochStats(epoch + 1, tally.Loss, tally.Accuracy, eval.Correct, eval.Total, tally.Seconds,
                tally.Seen / Math.Max(tally.Seconds, 1e-9), weights, tally.CertifiedAccuracy, Logged(values));
            IReadOnlyList<EpochStats> epochs = [.. at.Epochs, stats];
            return from written in cluster.IsRoot ? StateDict.Save(network, weights) : FinSucc(unit)
                   from saved in Save(new TrainingState(at.Step, epoch + 1, 0, EpochTally.Empty, epochs, Seconds))
                   select Reported(at with { Epochs = epochs }, epoch, weights);
        }

        // Between epochs the reports say "running" and point at the epoch's weights.
        Position Reported(Position at, int epoch, string weights)
        {
            if (epoch + 1 < c.Epochs && cluster.IsRoot) RunReport.Write(plan, new TrainOutcome(c, at.Epochs, RunStatus.Running, weights), TimeSpan.FromSeconds(Seconds), cluster.Size);
            return at;
        }

        Fin<TrainOutcome> Completed(IReadOnlyList<EpochStats> epochs)
        {
            var final = Path.Combine(c.OutDir, "model.pt");
            return (cluster.IsRoot ? StateDict.Save(network, final) : FinSucc(unit)).Map(_ =>
            {
                var outcome = new TrainOutcome(c, epochs, RunStatus.Completed, final);
                if (cluster.IsRoot) RunReport.Write(plan, outcome, TimeSpan.FromSeconds(Seconds), cluster.Size);
                return outcome;
            });
        }

        Error NonFinite(double bad, long done, int epoch, int b, StepValues v)
        {
            var inv = CultureInfo.InvariantCulture;
            string sigmaText = v.Sigma is { } s ? string.Create(inv, $", σ {s:G4}") : "";
            return Error.New(ErrorCodes.NonFinite, string.Create(inv,
                $"Training loss became {bad} at step {done + 1} (epoch {epoch + 1}, batch {b + 1}, ε {v.Eps:G4}, κ {v.Kappa:G4}, β {v.Beta:G4}, lr {v.LearningRate:G4}{sigmaText}); " +
                $"the weights were not updated. Last good checkpoint: {lastCheckpoint}. Lower the learning rate or ε, or resume from the checkpoint."));
        }

        Fin<Unit> Save(TrainingState state)
        {
            var path = Checkpoint.LastIn(c.OutDir);
            return (cluster.IsRoot ? Checkpoint.Save(path, c, state, network, optimizer) : FinSucc(unit)).Map(saved =>
            {
                lastCheckpoint = $"{path} (step {state.Step})";
                return saved;
            });
        }

        TrainOutcome Finish(IReadOnlyList<EpochStats> epochs, RunStatus status, TrainingState position)
        {
            var outcome = new TrainOutcome(c, epochs, status, Checkpoint.LastIn(c.OutDir));
            if (cluster.IsRoot) RunReport.Write(plan, outcome, TimeSpan.FromSeconds(position.Seconds), cluster.Size);
            return outcome;
        }

        /// <summary>The schedule for progress and epoch statistics (none for plain natural training).</summary>
        StepValues? Logged(StepValues v) => plan.LogsSchedule ? v : null;

        TrainProgress Progress(int epoch, int batch, int batches, EpochTally t, StepValues v, TrainPhase phase)
        {
            double ips = t.Seen / Math.Max(t.Seconds, 1e-9);
            long remaining = (c.Epochs - epoch - 1) * (long)train.Count + (train.Count - t.Seen);
            return new TrainProgress(epoch + 1, c.Epochs, batch, batches, t.Loss, t.Accuracy, ips,
                TimeSpan.FromSeconds(Math.Min(remaining / Math.Max(ips, 1e-9), TimeSpan.MaxValue.TotalSeconds / 2)), phase, null,
                Logged(v), t.CertifiedAccuracy);
        }

        void Report(int epoch, int batch, int batches, EpochTally t, StepValues v, TrainPhase phase) =>
            run.Progress?.Report(Progress(epoch, batch, batches, t, v, phase));
    }
}
