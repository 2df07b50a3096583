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

/// <summary>One finished batch of <see cref="Certification.RunBatches"/>: images <paramref name="Start"/> … Start + Size − 1.</summary>
/// <param name="Start">Index of the batch's first image.</param>
/// <param name="Size">Images in the batch.</param>
/// <param name="Width">Lower bounds per image (classes − 1).</param>
/// <param name="LowerBounds">Row-major [Size, Width], as <see cref="DomainCertification.LowerBounds"/>.</param>
/// <param name="Certified">Per image: certified (confirmed in float64 when the check is on).</param>
/// <param name="Refused">Per image: the float32 bounds were all &gt; 0 but the float64 check failed.</param>
/// <param name="Seconds">Wall time of the batch.</param>
public sealed record CertifiedBatch(int Start, int Size, int Width, float[] LowerBounds, bool[] Certified, bool[] Refused, double Seconds)
{
    /// <summary>The batch as it travels from one process to another (the ranks of an MPI job): floats and doubles with their bits.</summary>
    public static void Write(BinaryWriter w, CertifiedBatch b)
    {
        w.Write(b.Start);
        w.Write(b.Size);
        w.Write(b.Width);
        foreach (var v in b.LowerBounds) w.Write(v);
        foreach (var c in b.Certified) w.Write(c);
        foreach (var r in b.Refused) w.Write(r);
        w.Write(b.Seconds);
    }

    /// <summary>A batch written by <see cref="Write"/>.</summary>
    public static CertifiedBatch Read(BinaryReader r)
    {
        int start = r.ReadInt32(), size = r.ReadInt32(), width = r.ReadInt32();
        var lower = new float[size * width];
        for (int i = 0; i < lower.Length; i++) lower[i] = r.ReadSingle();
        var certified = new bool[size];
        for (int i = 0; i < size; i++) certified[i] = r.ReadBoolean();
        var refused = new bool[size];
        for (int i = 0; i < size; i++) refused[i] = r.ReadBoolean();
        return new CertifiedBatch(start, size, width, lower, certified, refused, r.ReadDouble());
    }
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
        int n = Math.Clamp(count, 0, data.Count);
        int width = (int)network.Description.Output.Size - 1;
        var lower = new float[n * width];
        var certified = new bool[n];
        int refusals = 0;
        var clock = Stopwatch.StartNew();
        RunBatches(network, data, n, eps, domain, kind, batchSize, device, start: 0, b =>
        {
            b.LowerBounds.CopyTo(lower, b.Start * width);
            b.Certified.CopyTo(certified, b.Start);
            refusals += b.Refused.Count(r => r);
            progress?.Invoke(b.Start + b.Size);
        }, lpProgress, float64Check);
        clock.Stop();
        return new DomainCertification(domain, n, width, lower, certified, clock.Elapsed.TotalSeconds, refusals);
    }

    /// <summary>Certifies images <paramref name="start"/> … <paramref name="count"/> − 1 of <paramref name="data"/> as
    /// <see cref="Run"/> does, in batches of <paramref name="batchSize"/> that start at multiples of it counted from image 0
    /// (<paramref name="start"/> must be one, or 0), handing each finished batch to <paramref name="onBatch"/>: a run
    /// continued from a batch boundary gives the same bounds, bit for bit, as one that ran straight through. Stops
    /// before the next batch once <paramref name="cancel"/> is cancelled (the batch in progress finishes); returns the
    /// number of images done (from image 0).</summary>
    public static int RunBatches(NetworkModule network, Dataset data, int count, double eps, Domain domain, SpecKind kind,
        int batchSize, Device device, int start, Action<CertifiedBatch> onBatch, IProgress<TriangleLpProgress>? lpProgress = null,
        bool float64Check = true, CancellationToken cancel = default) =>
        RunBatchesOf(network, data, count, eps, domain, kind, batchSize, device, start, _ => true, (_, b) => onBatch(b!), lpProgress, float64Check, cancel);

    /// <summary><see cref="RunBatches"/> for one of several processes sharing the work (the ranks of an MPI job): the same
    /// batches in the same order, but only those whose first image <paramref name="mine"/> accepts are certified here.
    /// <paramref name="onBatch"/> is called at every batch in order, with the batch's first image and the batch when it was
    /// certified here (null when it was not), so that the caller can exchange results and decide to stop at the same
    /// batches on every process. Returns the number of images passed (certified here or not) from image 0.</summary>
    public static int RunBatchesOf(NetworkModule network, Dataset data, int count, double eps, Domain domain, SpecKind kind,
        int batchSize, Device device, int start, Func<int, bool> mine, Action<int, CertifiedBatch?> onBatch,
        IProgress<TriangleLpProgress>? lpProgress = null, bool float64Check = true, CancellationToken cancel = default)
    {
        if (batchSize <= 0) throw new ArgumentException($"Batch size must be > 0, got {batchSize}.", nameof(batchSize));
        int n = Math.Clamp(count, 0, data.Count);
        if (start < 0 || start > n || (start % batchSize != 0 && start != n))
            throw new ArgumentException($"Start {start} is not a batch boundary (batch size {batchSize}) within the {n} images.", nameof(start));
        KernelCheck.ThrowIfFailed(device);
        int width = (int)network.Description.Output.Size - 1;
        var indices = Enumerable.Range(0, n).ToArray();
        network.eval();
        using var float64 = float64Check && start < n ? FinalCheck.Float64Copy(network, device) : null;
        using var guard = GcGuard.Open();
        int done = start;
        using (no_grad())
        {
            for (int first = start; first < n && !cancel.IsCancellationRequested; first += batchSize)
            {
                guard.SafePoint();
                int size = Math.Min(batchSize, n - first);
                if (!mine(first))
                {
                    done = first + size;
                    onBatch(first, null);
                    continue;
                }
                var clock = Stopwatch.StartNew();
                using var scope = NewDisposeScope();
                var (x, y) = data.Batch(indices.AsSpan(first, size), device);
                Tensor diffLower;
                using (NewDisposeScope())       // the float32 pass's temporaries are gone before the float64 pass
                {
                    var bounds = domain is TriangleLpDomain t
                        ? TriangleLp.Bounds(network, x, y, eps, Offset(lpProgress, first, n), t.Options, kind)
                        : Verifier.Bounds(network, x, y, eps, domain, kind);
                    diffLower = bounds.DiffLowerAsComputed.MoveToOuterDisposeScope();   // the float64 check is the proof
                }
                var lower = new float[size * width];
                diffLower.to(CPU).contiguous().data<float>().CopyTo(lower, 0);
                var float32Flags = diffLower.gt(0).all(1);
                var flags = float64 is null ? float32Flags : FinalCheck.Certified(float64, x, y, eps, domain, kind, diffLower);
                var certified = new bool[size];
                var plain = new bool[size];
                flags.to(CPU).data<bool>().CopyTo(certified, 0);
                float32Flags.to(CPU).data<bool>().CopyTo(plain, 0);
                clock.Stop();
                done = first + size;
                // Refused: the float32 bounds certified the image, the float64 check did not.
                onBatch(first, new CertifiedBatch(first, size, width, lower, certified, plain.Zip(certified, (f, c) => f && !c).ToArray(), clock.Elapsed.TotalSeconds));
            }
        }
        return done;
    }

    // The batch's progress in dataset terms (image index and count over the whole run).
    static IProgress<TriangleLpProgress>? Offset(IProgress<TriangleLpProgress>? inner, int start, int total) =>
        inner is null ? null : new Relay(p => inner.Report(p with { Example = start + p.Example, Examples = total }));

    sealed class Relay(Action<TriangleLpProgress> report) : IProgress<TriangleLpProgress>
    {
        public void Report(TriangleLpProgress value) => report(value);
    }
}
