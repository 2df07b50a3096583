using System.Diagnostics;
using Certify.Functional.Data;
using Certify.Functional.Errors;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Training;
using Certify.Functional.Analysis;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification;
using Certify.Functional.Samples;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Reports.Paradox;

/// <summary>What training and certifying one relaxation produced.</summary>
/// <param name="Relaxation">The relaxation.</param>
/// <param name="Outcome">The training run (epochs, final evaluation).</param>
/// <param name="TrainSeconds">Wall time of training.</param>
/// <param name="LpCertified">Images the exact triangle LP certifies (of <paramref name="LpImages"/>), or null.</param>
/// <param name="LpImages">Images tried with the LP.</param>
/// <param name="Model">Path of the trained weights.</param>
public sealed record TrainedRelaxation(StudiedRelaxation Relaxation, TrainOutcome Outcome, double TrainSeconds, int? LpCertified, int LpImages, string Model)
{
    /// <summary>The run's seed.</summary>
    public long Seed => Outcome.Config.Seed;

    /// <summary>Per epoch (1-based, epochs of this process only when resumed): neurons of the property batch near the
    /// switching surfaces of the train relaxation at the epoch's ε, during training.</summary>
    public IReadOnlyList<(int Epoch, double Eps, SwitchCounts Counts)> NearSwitchDuringTraining { get; init; } = [];

    /// <summary>Clean test accuracy.</summary>
    public double Clean => Outcome.Evaluation is { } e ? (double)e.Clean / e.Images : double.NaN;
    /// <summary>PGD accuracy.</summary>
    public double Pgd => Outcome.Evaluation is { PgdRobust: { } r } e ? (double)r / e.Images : double.NaN;
    /// <summary>Certified accuracy with the relaxation itself.</summary>
    public double Certified => Outcome.Evaluation is { } e && e.Certified.Count > 0 ? (double)e.Certified[0].Certified / e.Certified[0].Images : double.NaN;
}

/// <summary>Progress of the study: a stage name and a message.</summary>
public delegate void ParadoxProgress(string stage, string message);

/// <summary>
/// The paradox study, step 1: train every relaxation of the plan under the identical schedule, certify each with
/// itself (and with the exact triangle LP on a few images for fully connected networks). Each run is an ordinary
/// training run in <c>{out}/{relaxation}/</c> (checkpoints, results.json, per_image.csv), so an interrupted study
/// resumes relaxation by relaxation: finished runs (results.json with status "completed") are reused.
/// </summary>
public static class ParadoxTraining
{
    /// <summary>Trains and certifies every relaxation of <paramref name="plan"/> with every seed, <see cref="ParadoxPlan.Workers"/>
    /// runs at a time (each its own run folder; results in plan order: seed-major, then relaxation). Returns fewer runs
    /// than planned when interrupted.</summary>
    public static Fin<IReadOnlyList<TrainedRelaxation>> Run(ParadoxPlan plan, Func<string, IProgress<TrainProgress>?>? trainProgress,
        ParadoxProgress? progress, CancellationToken cancel)
    {
        var data = StudyData.Load(plan);
        if (data.IsFail) return data.Map(_ => (IReadOnlyList<TrainedRelaxation>)[]);
        var (train, test, catalog) = (StudyData)data;
        var jobs = (from seed in plan.Seeds from r in plan.Relaxations select (r, seed)).ToList();
        var results = new TrainedRelaxation?[jobs.Count];
        var errors = new System.Collections.Concurrent.ConcurrentBag<Error>();
        var trainSet = train.Take(plan.TrainImages);
        // Longest first, handed out one at a time (no range partitioning): the two workers finish together.
        var order = Enumerable.Range(0, jobs.Count).OrderByDescending(k => Cost(jobs[k].r)).ThenBy(k => k).ToList();
        var partitioner = System.Collections.Concurrent.Partitioner.Create(order, System.Collections.Concurrent.EnumerablePartitionerOptions.NoBuffering);
        Parallel.ForEach(partitioner, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, plan.Workers) }, (k, state) =>
        {
            if (cancel.IsCancellationRequested || !errors.IsEmpty) { state.Stop(); return; }
            var one = RunOne(plan, jobs[k].r, jobs[k].seed, catalog, trainSet, test, trainProgress, progress, cancel);
            if (one.IsFail) { errors.Add((Error)one); state.Stop(); return; }
            ((Option<TrainedRelaxation>)one).Iter(t => results[k] = t);                 // None: interrupted, stays null
        });
        if (!errors.IsEmpty) return FinFail<IReadOnlyList<TrainedRelaxation>>(errors.First());
        return FinSucc<IReadOnlyList<TrainedRelaxation>>(results.TakeWhile(r => r is not null).Select(r => r!).ToList());
    }

    // Relative cost of an epoch (measured on FC-SMALL, one thread): CROWN > α-CROWN > hBox > DeepZ > CROWN-IBP > Box;
    // smoothing multiplies by its samples.
    static double Cost(StudiedRelaxation r) => (r.Domain.Split(':')[0] switch
    {
        "deeppoly" => 25.0, "alpha-crown" => 37, "hbox" => 20, "zono" => 16, "crown-ibp" => 1.7, _ => 0.4,
    }) * (r.Smoothed ? 4 : 1);

    // One (relaxation, seed) run: trains (or resumes), certifies, and runs the LP on a few images; None when interrupted
    // (FinSucc refuses null: an interrupted study used to end as an "unexpected failure").
    static Fin<Option<TrainedRelaxation>> RunOne(ParadoxPlan plan, StudiedRelaxation r, long seed, CatalogEntry catalog, Dataset train, Dataset test,
        Func<string, IProgress<TrainProgress>?>? trainProgress, ParadoxProgress? progress, CancellationToken cancel)
    {
        torch.set_num_threads(plan.Threads);            // per thread: OpenMP's thread count is a per-thread setting
        var config = plan.TrainConfig(r, seed);
        var label = plan.SeedCount > 1 ? $"{r.Label} seed {seed}" : r.Label;
        progress?.Invoke("train", $"{label}: training with {r.Domain} ({config.Epochs} epochs on {plan.TrainImages} images, ε → {plan.Eps})");
        var near = new List<(int, double, SwitchCounts)>();
        var trainDomain = Domain.Parse(r.Domain).ThrowIfFail();
        var (xs, ys) = test.Batch(Enumerable.Range(0, plan.PropertyImages).ToArray(), CPU);
        void AtEpochEnd(NetworkModule net, int epoch, StepValues v) =>
            near.Add((epoch, v.Eps, SwitchingSurfaces.Measure(net, xs, ys, Math.Max(v.Eps, 1e-6), trainDomain, ParadoxStudy.SwitchTau)
                .Aggregate(SwitchCounts.Zero, (a, b) => a.Plus(b))));
        var resume = RunFolder.Inspect(config.OutDir) is FolderState.HoldsRun held && RunFolder.SameRun(held.Point.Header.Config, config) ? held.Point.Path : null;
        return catalog.Trainer(config).Run(train, test, new TrainRun(trainProgress?.Invoke(label), cancel, resume, EpochEnd: AtEpochEnd))
            .Bind(outcome => outcome.Status is not RunStatus.Completed
                ? FinSucc(Option<TrainedRelaxation>.None)
                : from lp in ExactLp(plan, catalog, test, outcome, label, progress)
                  select Some(Done(r, outcome, lp, label, near, progress)));
    }

    // Images the exact triangle LP certifies on the first few test images (fully connected networks only), and how many were tried.
    static Fin<(int? Certified, int Images)> ExactLp(ParadoxPlan plan, CatalogEntry catalog, Dataset test, TrainOutcome outcome, string label,
        ParadoxProgress? progress)
    {
        if (plan.LpImages <= 0 || catalog.Description.Layers.Any(l => l.Declaration.Kind is LayerKind.Conv2d)) return FinSucc<(int?, int)>((null, 0));
        progress?.Invoke("lp", $"{label}: exact triangle LP on the first {plan.LpImages} test images");
        using var net = catalog.Create();
        return StateDict.Load(net, outcome.FinalModel).Map(_ =>
        {
            var lpResult = Certification.Run(net, test, plan.LpImages, plan.Eps, Domain.TriangleLp, SpecKind.Diffs, 10, CPU);
            return ((int?)lpResult.CertifiedCount, lpResult.Count);
        });
    }

    static TrainedRelaxation? Done(StudiedRelaxation r, TrainOutcome outcome, (int? Certified, int Images) lp, string label,
        List<(int, double, SwitchCounts)> near, ParadoxProgress? progress)
    {
        progress?.Invoke("done", $"{label}: certified {100 * (outcome.Evaluation is { } e && e.Certified.Count > 0 ? (double)e.Certified[0].Certified / e.Certified[0].Images : double.NaN):F1} % " +
            $"in {outcome.Epochs.Sum(x => x.Seconds):F0} s of training");
        return new TrainedRelaxation(r, outcome, outcome.Epochs.Sum(e => e.Seconds), lp.Certified, lp.Images, outcome.FinalModel) { NearSwitchDuringTraining = near };
    }
}
