using Certify.Functional.Runtime;
using Certify.Functional.Runtime.Cluster;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Certify.Functional.Data;
using Certify.Functional.Networks;
using Certify.Functional.Training;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Training;

/// <summary>The end-of-run evaluation (training.md §6, plus the PGD the reference never ran): clean accuracy, PGD adversarial
/// accuracy and certified accuracy per verify domain on the first <see cref="TrainConfig.TestLimit"/> test images, all
/// per image in <c>per_image.csv</c> (columns img, label, pred, pgd, then one per domain: 1/0).</summary>
public static class FinalEvaluation
{
    /// <summary>Evaluates <paramref name="network"/> as <paramref name="plan"/> says (ε, PGD settings, verify domains, spec); <paramref name="progress"/> gets (stage, done, total).
    /// With several ranks (<paramref name="cluster"/>) the certification's batches are dealt to the ranks and gathered on
    /// rank 0 (the same batches as one process: the same flags); rank 0 alone runs the clean and PGD passes and writes
    /// per_image.csv; the other ranks' summaries hold only their own batches.</summary>
    public static EvaluationSummary Run(NetworkModule network, Dataset test, TrainPlan plan, Device device, Action<string, int, int>? progress = null,
        Cluster? cluster = null)
    {
        cluster ??= Cluster.Single;
        var c = plan.Config;
        var domains = plan.VerifyDomains;
        var clock = Stopwatch.StartNew();
        int n = Math.Min(c.TestLimit ?? test.Count, test.Count);
        double eps = c.TestEps;
        if (eps == 0) domains = [];                  // nothing to attack or certify at ε = 0 (natural runs)
        if (cluster.IsParallel)
        {
            // Every rank certifies its batches first (rank 0's part is run after its clean and PGD passes).
            var shards = cluster.IsRoot ? null : domains.Select(d => Sharded(network, test, n, eps, d, plan, device, cluster, null)).ToList();
            if (!cluster.IsRoot) return new EvaluationSummary(n, eps, 0, null,
                shards!.Select(r => new CertifiedSummary(r.Domain.Name, r.CertifiedCount, r.Count, r.Seconds)).ToList(), "", clock.Elapsed.TotalSeconds);
        }
        var clean = Evaluation.Clean(network, test, 1000, device, n);
        progress?.Invoke("clean", n, n);
        bool[]? robust = null;
        if (c.PgdSteps > 0 && eps > 0)
        {
            var generator = new Generator(unchecked((ulong)c.Seed), device);
            robust = Pgd.Evaluate(network, test, n, eps, new PgdOptions(c.PgdSteps, c.PgdStepSize, c.PgdRestarts), 500, device, generator,
                done => progress?.Invoke("pgd", done, n)).Robust;
        }
        var certified = domains.Select(d => Sharded(network, test, n, eps, d, plan, device, cluster, done => progress?.Invoke(d.Name, done, n))).ToList();

        var inv = CultureInfo.InvariantCulture;
        var csv = new StringBuilder("img,label,pred,pgd");
        foreach (var d in domains) csv.Append(',').Append(d.Name.Contains(',') ? $"\"{d.Name}\"" : d.Name);
        csv.Append('\n');
        for (int i = 0; i < n; i++)
        {
            csv.Append(inv, $"{i},{test.Labels[i]},{clean.Predictions[i]},{(robust is null ? "" : robust[i] ? "1" : "0")}");
            foreach (var r in certified) csv.Append(r.Certified[i] ? ",1" : ",0");
            csv.Append('\n');
        }
        var perImage = Path.Combine(c.OutDir, "per_image.csv");
        AtomicFile.WriteAllText(perImage, csv.ToString());
        clock.Stop();
        return new EvaluationSummary(n, eps, clean.Correct, robust?.Count(v => v),
            certified.Select(r => new CertifiedSummary(r.Domain.Name, r.CertifiedCount, r.Count, r.Seconds)).ToList(), perImage, clock.Elapsed.TotalSeconds);
    }

    const int BatchSize = 100;

    // One domain's certification in batches of 100 (Certification.Run's), dealt round-robin to the ranks (all to the one
    // process of a single run); on rank 0 the whole result (bounds and flags as the ranks computed them), on the others
    // their batches only. Seconds: the wall time to the gather.
    static DomainCertification Sharded(NetworkModule network, Dataset test, int n, double eps, Domain domain, TrainPlan plan, Device device,
        Cluster cluster, Action<int>? progress)
    {
        var clock = Stopwatch.StartNew();
        int width = (int)network.Description.Output.Size - 1;
        var mine = new List<(int, CertifiedBatch)>();
        Certification.RunBatchesOf(network, test, n, eps, domain, plan.Spec, BatchSize, device, 0, first => first / BatchSize % cluster.Size == cluster.Rank,
            (first, b) =>
            {
                if (b is not null) mine.Add((first / BatchSize, b));
                progress?.Invoke(Math.Min(n, first + BatchSize));
            });
        var all = cluster.Gather<CertifiedBatch>(mine, CertifiedBatch.Write, CertifiedBatch.Read) ?? mine;
        var lower = new float[n * width];
        var certified = new bool[n];
        int refusals = 0;
        foreach (var (_, b) in all)
        {
            b.LowerBounds.CopyTo(lower, b.Start * width);
            b.Certified.CopyTo(certified, b.Start);
            refusals += b.Refused.Count(r => r);
        }
        return new DomainCertification(domain, n, width, lower, certified, clock.Elapsed.TotalSeconds, refusals);
    }
}
