using Certify.Functional.Runtime;
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
    /// <summary>Evaluates <paramref name="network"/> as <paramref name="plan"/> says (ε, PGD settings, verify domains, spec); <paramref name="progress"/> gets (stage, done, total).</summary>
    public static EvaluationSummary Run(NetworkModule network, Dataset test, TrainPlan plan, Device device, Action<string, int, int>? progress = null)
    {
        var c = plan.Config;
        var domains = plan.VerifyDomains;
        var clock = Stopwatch.StartNew();
        int n = Math.Min(c.TestLimit ?? test.Count, test.Count);
        double eps = c.TestEps;
        var clean = Evaluation.Clean(network, test, 1000, device, n);
        progress?.Invoke("clean", n, n);
        bool[]? robust = null;
        if (eps == 0) domains = [];                  // nothing to attack or certify at ε = 0 (natural runs)
        if (c.PgdSteps > 0 && eps > 0)
        {
            var generator = new Generator(unchecked((ulong)c.Seed), device);
            robust = Pgd.Evaluate(network, test, n, eps, new PgdOptions(c.PgdSteps, c.PgdStepSize, c.PgdRestarts), 500, device, generator,
                done => progress?.Invoke("pgd", done, n)).Robust;
        }
        var certified = domains.Select(d => Certification.Run(network, test, n, eps, d, plan.Spec, 100, device, done => progress?.Invoke(d.Name, done, n)))
            .ToList();

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
}
