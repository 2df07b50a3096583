using System.Diagnostics;
using System.Globalization;
using System.Text;
using Certify.Cli;
using Certify.Functional.Bounds;
using Certify.Functional.Data;
using Certify.Functional.Networks;
using Certify.Functional.Training;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification;
using Certify.Functional.Relaxations.Shared;
using Certify.Functional.Samples;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Reference;

/// <summary>
/// The parity protocol of Samples/Reference/README.md for one released FC network at one ε: clean predictions,
/// the certified flags of box / hbox / zono / deeppoly / crown-ibp on every image the reference evaluated, and the 9 lower bounds of the
/// first 100 images. A flag may differ only where our smallest lower bound is within <see cref="Tolerance"/> of 0
/// (reported, not failed); bounds agree within <see cref="Tolerance"/> relative, or else the reference lies within the
/// spread of our own in-batch, single-image and float64 results (± the same tolerance; reported): float32 noise of one
/// of the two implementations. Our DeepZ offsets are the sound λ*·(1e−6 − l)/2, not the reference's −l·λ*/2, which
/// lowers zonotope bounds systematically by ≤ 1e−6 per crossing neuron (≤ 4.5e−5 on these bounds) and is part of what
/// the float64 value differs by.
/// </summary>
public static class ReferenceParity
{
    /// <summary>|a − b| ≤ Tolerance · max(1, |b|) for bounds; |min lb| ≤ Tolerance for a flag that may differ.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>The verifiers compared, with their batch sizes (Box and CROWN-IBP are cheap; zonotopes are faster in
    /// small batches; deeppoly's identity specifications grow with the batch, 100 keeps them in cache-friendly sizes).</summary>
    static readonly (string Name, int Batch)[] Domains = [("box", 500), ("hbox", 25), ("zono", 25), ("deeppoly", 100), ("crown-ibp", 500)];

    /// <summary>Checks one network; every problem ends up in the returned list (empty = parity).</summary>
    public static List<string> Check(Dataset data, string referenceDataset, string model, double eps, ITestOutputHelper log)
    {
        var inv = CultureInfo.InvariantCulture;
        var problems = new List<string>();
        var perImage = ReferenceResults.PerImage(referenceDataset, eps);
        var bounds = ReferenceResults.LowerBounds(referenceDataset, eps);

        var entry = NetworkCatalog.Find("FC", data.Shape).Match(e => e, e => throw new InvalidOperationException(e.Message));
        using var net = entry.Create();
        var loaded = StateDict.Load(net, SharedFiles.Pretrained(model));
        if (loaded.IsFail) throw new InvalidOperationException(loaded.Match(_ => "", e => e.Message));
        NetworkResolution.UseDatasetNormalization(net, data);           // the Fashion quirk: dataset constants win
        var norm = net.Normalizations.Single();
        log.WriteLine(string.Create(inv, $"{model} ε={eps}: normalization mean {norm.Mean.data<float>()[0]}, std {norm.Sigma.data<float>()[0]}"));

        var referencePred = perImage[$"pred__{model}"];
        var clean = Evaluation.Clean(net, data, 1000, CPU, referencePred.Length);
        var predMismatch = Enumerable.Range(0, clean.Total).Where(i => clean.Predictions[i] != referencePred[i]).ToList();
        if (predMismatch.Count > 0)
            problems.Add($"{model} ε={eps}: clean prediction differs on images {string.Join(", ", predMismatch.Take(20))}");

        foreach (var (name, batch) in Domains)
        {
            var flags = perImage[$"{model}__{name}"];
            int n = flags.TakeWhile(f => f is not null).Count();
            if (flags.Skip(n).Any(f => f is not null))
                throw new InvalidDataException($"{model}__{name}: evaluated images are not a prefix of the file.");
            var domain = Domain.Parse(name).Match(d => d, e => throw new InvalidOperationException(e.Message));
            // The reference's flags are its float32 bounds' alone; ours too here (the float64 confirmation is FinalCheckTests').
            var ours = Certification.Run(net, data, n, eps, domain, SpecKind.Diffs, batch, CPU, float64Check: false);

            var nearZero = new List<string>();
            for (int i = 0; i < n; i++)
            {
                bool theirs = flags[i] == 1;
                if (ours.Certified[i] == theirs) continue;
                float min = Min(ours.Row(i));
                string what = string.Create(inv, $"image {i}: ours {(ours.Certified[i] ? 1 : 0)}, reference {(theirs ? 1 : 0)}, our min lb {min:G9}");
                if (Math.Abs(min) <= Tolerance) nearZero.Add(what);
                else problems.Add($"{model} ε={eps} {name} {what}");
            }

            var referenceBounds = bounds[(model, name)];
            int boundFailures = 0;
            double worst = 0;
            var rounding = new List<string>();
            for (int i = 0; i < referenceBounds.Length; i++)
            {
                var row = ours.Row(i);
                double[]? exact = null;
                for (int j = 0; j < row.Length; j++)
                {
                    double a = row[j], b = referenceBounds[i][j];
                    double allowed = Tolerance * Math.Max(1, Math.Abs(b));
                    double rel = Math.Abs(a - b) / Math.Max(1, Math.Abs(b));
                    worst = Math.Max(worst, rel);
                    if (rel <= Tolerance) continue;
                    // Out of tolerance: float32 rounding, or a real difference? Recompute this image with the same
                    // relaxation alone (float32, another summation order than inside the batch) and in float64. If the
                    // reference lies within the spread of our own results (± the same tolerance), the two float32
                    // implementations merely round the same exact bound differently (e.g. an intermediate l ≈ 0 that
                    // decides hBox's discontinuous case split, or long cancelling sums in the zonotope).
                    exact ??= [.. Float64LowerBounds(data, model, i, eps, domain), .. SingleImageLowerBounds(net, data, i, eps, domain)];
                    double e = exact[j], alone = exact[row.Length + j];
                    double lo = Math.Min(a, Math.Min(e, alone)), hi = Math.Max(a, Math.Max(e, alone));
                    string what = string.Create(inv, $"{model} ε={eps} {name} image {i} lb{j}: ours {a:G9} (alone {alone:G9}, float64 {e:G9}), reference {b:G9}");
                    if (b >= lo - allowed && b <= hi + allowed) rounding.Add(what);
                    else if (boundFailures++ < 10) problems.Add(what);
                }
            }
            if (boundFailures > 10) problems.Add($"{model} ε={eps} {name}: {boundFailures - 10} more lower bounds differ");

            int referenceCount = flags.Take(n).Count(f => f == 1);
            log.WriteLine(string.Create(inv,
                $"{model} ε={eps} {name,-9}: certified {ours.CertifiedCount}/{n} (reference {referenceCount}), {ours.Seconds:F2} s, " +
                $"{ours.ImagesPerSecond:F0} img/s; lb100 worst relative difference {worst:E2}; flags differing near 0: {nearZero.Count}; " +
                $"bounds explained by float32 rounding (and the sound DeepZ offsets): {rounding.Count}"));
            foreach (var z in nearZero) log.WriteLine($"  within tolerance of 0: {model} ε={eps} {name} {z}");
            foreach (var r in rounding) log.WriteLine($"  float32 rounding (reference within the spread of our own results): {r}");
        }
        return problems;
    }

    /// <summary>The lower bounds of image <paramref name="img"/> certified alone (a batch of one), float32.</summary>
    static double[] SingleImageLowerBounds(NetworkModule net, Dataset data, int img, double eps, Domain domain)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var (x, y) = data.Batch([img]);
        return Verifier.Bounds(net, x, y, eps, domain).DiffLower.to(ScalarType.Float64).flatten().data<double>().ToArray();
    }

    /// <summary>The lower bounds of image <paramref name="img"/> computed with the same relaxation in float64 (a fresh
    /// copy of the network; the specification is a set of class indices, so it works in any precision).</summary>
    static double[] Float64LowerBounds(Dataset data, string model, int img, double eps, Domain domain)
    {
        var entry = NetworkCatalog.Find("FC", data.Shape).Match(e => e, e => throw new InvalidOperationException(e.Message));
        using var net = entry.Create();
        StateDict.Load(net, SharedFiles.Pretrained(model)).Match(_ => 0, e => throw new InvalidOperationException(e.Message));
        NetworkResolution.UseDatasetNormalization(net, data);
        net.to(ScalarType.Float64);
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var (x32, y) = data.Batch([img]);
        var x = x32.to(ScalarType.Float64);
        var spec = Spec.Diffs(y, (int)net.Description.Output.Size);
        var lower = domain switch
        {
            IbpDomain b => Propagators.For(net).Box(InputRegion.Box(x, eps), b.Options, spec).Output.Lower,
            ZonotopeDomain z => Propagators.For(net).Zonotope(InputRegion.Zonotope(x, eps), z.Options, spec, null).Output.Concretize().Lower,
            HybridDomain h => Propagators.For(net).Hybrid(InputRegion.Hybrid(x, eps), h.Options, spec).Output.Concretize().Lower,
            DeepPolyDomain d => DeepPolyLower(net, x, eps, d, spec),
            _ => throw new ArgumentException($"Domain '{domain.Name}' is not compared with the reference."),
        };
        return lower.flatten().data<double>().ToArray();
    }

    // The back-substitution's lower bounds with the generated method (intermediate IBP bounds for crown-ibp).
    static Tensor DeepPolyLower(NetworkModule net, Tensor x, double eps, DeepPolyDomain d, Spec spec)
    {
        var (lo, hi) = InputRegion.Corners(x, eps);
        var ibp = d.IbpIntermediate ? Propagators.For(net).Box(InputRegion.Box(x, eps), BoxOptions.Plain, spec).PreActivation : null;
        return Propagators.For(net).DeepPoly(lo, hi, d.Options, spec, ibp, null).Lower;
    }

    static float Min(ReadOnlySpan<float> row)
    {
        float m = float.PositiveInfinity;
        foreach (var v in row) m = Math.Min(m, v);
        return m;
    }

    /// <summary>Runs <see cref="Check"/>, logs the time, and fails with every problem listed.</summary>
    public static void Assert(Dataset data, string referenceDataset, string model, double eps, ITestOutputHelper log)
    {
        var clock = Stopwatch.StartNew();
        var problems = Check(data, referenceDataset, model, eps, log);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{model} ε={eps}: {clock.Elapsed.TotalSeconds:F2} s"));
        if (problems.Count > 0)
            throw new Xunit.Sdk.XunitException(new StringBuilder($"{problems.Count} mismatch(es) with the reference:\n")
                .AppendJoin('\n', problems).ToString());
    }
}
