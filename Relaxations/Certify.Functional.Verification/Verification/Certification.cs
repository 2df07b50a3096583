using Certify.Functional.Runtime;
using System.Diagnostics;
using Certify.Functional.Data;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification.Runtime;
using Certify.Functional.Verification.Triangle;
using static TorchSharp.torch;

namespace Certify.Functional.Verification;

/// <summary>What one domain proved about the first <see cref="Count"/> test images.</summary>
/// <param name="Domain">The domain.</param>
/// <param name="Count">Images certified against (the first Count of the dataset, in file order).</param>
/// <param name="Width">Lower bounds per image (classes − 1).</param>
/// <param name="LowerBounds">Row-major [Count, Width]: the float32 lower bounds of logit_y − logit_j for j ≠ y, increasing
/// j, as the domain computed them (<see cref="SpecBounds.DiffLowerAsComputed"/>: with the per-logit specification l_y − u_j
/// without the outward rounding margin, which on trained networks exceeds the bounds themselves; the reference's values).
/// Within float32 rounding of bounds, not proofs: <paramref name="Certified"/> is.</param>
/// <param name="Certified">Per image: every lower bound &gt; 0 (strict), confirmed in float64 (<see cref="FinalCheck"/>).</param>
/// <param name="Seconds">Wall time of the certification (without loading).</param>
/// <param name="RoundingRefusals">Images whose float32 lower bounds were all &gt; 0 but whose float64 check failed
/// (their float32 certificate was an artefact of rounding).</param>
public sealed record DomainCertification(Domain Domain, int Count, int Width, float[] LowerBounds, bool[] Certified, double Seconds, int RoundingRefusals = 0)
{
    /// <summary>Number of certified images.</summary>
    public int CertifiedCount => Certified.Count(c => c);

    /// <summary>The lower bounds of image <paramref name="i"/>.</summary>
    public ReadOnlySpan<float> Row(int i) => LowerBounds.AsSpan(i * Width, Width);

    /// <summary>Images per second.</summary>
    public double ImagesPerSecond => Count / Math.Max(Seconds, 1e-9);
}

/// <summary>Certification of a dataset prefix in batches: one dispose scope per batch, no gradients.</summary>
public static class Certification
{
    /// <summary>Certifies the first <paramref name="count"/> images of <paramref name="data"/> (pixels byte/255, clamped
    /// ball of radius <paramref name="eps"/>) in <paramref name="domain"/>. <paramref name="progress"/> receives the
    /// number of images done after each batch; <paramref name="lpProgress"/> the Triangle LP's per-neuron progress
    /// (triangle-lp only). With <paramref name="float64Check"/> (the default) the images the float32 bounds certify are
    /// confirmed in float64 (<see cref="FinalCheck"/>); without it the flags are the float32 bounds' alone, as the
    /// reference computes them (faster; an image whose bound is within float32 error of 0 may be certified wrongly).
    /// The network is put in eval mode. Throws <see cref="InvalidOperationException"/> when a native
    /// kernel failed its self-check on <paramref name="device"/> (<see cref="KernelCheck"/>).</summary>
    public static DomainCertification Run(NetworkModule network, Dataset data, int count, double eps, Domain domain, SpecKind kind,
        int batchSize, Device device, Action<int>? progress = null, IProgress<TriangleLpProgress>? lpProgress = null, bool float64Check = true)
    {
        if (batchSize <= 0) throw new ArgumentException($"Batch size must be > 0, got {batchSize}.", nameof(batchSize));
        KernelCheck.ThrowIfFailed(device);
        int n = Math.Clamp(count, 0, data.Count);
        int width = (int)network.Description.Output.Size - 1;
        var lower = new float[n * width];
        var certified = new bool[n];
        var indices = Enumerable.Range(0, n).ToArray();
        network.eval();
        using var float64 = float64Check ? FinalCheck.Float64Copy(network, device) : null;
        int refusals = 0;
        var clock = Stopwatch.StartNew();
        using var guard = GcGuard.Open();
        using (no_grad())
        {
            for (int start = 0; start < n; start += batchSize)
            {
                guard.SafePoint();
                using var scope = NewDisposeScope();
                int size = Math.Min(batchSize, n - start);
                var (x, y) = data.Batch(indices.AsSpan(start, size), device);
                Tensor diffLower;
                using (NewDisposeScope())       // the float32 pass's temporaries are gone before the float64 pass
                {
                    var bounds = domain is TriangleLpDomain t
                        ? TriangleLp.Bounds(network, x, y, eps, Offset(lpProgress, start, n), t.Options, kind)
                        : Verifier.Bounds(network, x, y, eps, domain, kind);
                    diffLower = bounds.DiffLowerAsComputed.MoveToOuterDisposeScope();   // the float64 check is the proof
                }
                diffLower.to(CPU).contiguous().data<float>().CopyTo(lower, start * width);
                var float32Flags = diffLower.gt(0).all(1);
                var flags = float64 is null ? float32Flags : FinalCheck.Certified(float64, x, y, eps, domain, kind, diffLower);
                refusals += (int)(float32Flags.sum().item<long>() - flags.sum().item<long>());
                flags.to(CPU).data<bool>().CopyTo(certified, start);
                progress?.Invoke(start + size);
            }
        }
        clock.Stop();
        return new DomainCertification(domain, n, width, lower, certified, clock.Elapsed.TotalSeconds, refusals);
    }

    // The batch's progress in dataset terms (image index and count over the whole run).
    static IProgress<TriangleLpProgress>? Offset(IProgress<TriangleLpProgress>? inner, int start, int total) =>
        inner is null ? null : new Relay(p => inner.Report(p with { Example = start + p.Example, Examples = total }));

    sealed class Relay(Action<TriangleLpProgress> report) : IProgress<TriangleLpProgress>
    {
        public void Report(TriangleLpProgress value) => report(value);
    }
}
