using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Shared;
using Certify.Functional.Verification.Triangle;
using Certify.Functional.Verification.Vnn;
using static TorchSharp.torch;

namespace Certify.Functional.Verification.Bab;

/// <summary>What <see cref="BabVerifier"/> did for one image: per logit difference the outcome and the subproblems.</summary>
/// <param name="Outcomes">Per row j ≠ y (increasing j): how its branch and bound ended (null: proved at the root, or not
/// tried because an earlier row found a counterexample or ran out of time).</param>
/// <param name="Subproblems">Subdomains bounded over all rows.</param>
/// <param name="Seconds">Wall time of the image.</param>
/// <param name="Falsified">A counterexample was found (PGD or branch and bound).</param>
public sealed record BabImage(BabOutcome?[] Outcomes, long Subproblems, double Seconds, bool Falsified);

/// <summary>
/// Complete verification of images (<c>certify verify --domains …,bab</c>): per image and ε-ball, every logit difference
/// z_y − z_j is bounded by α-CROWN at the root (optimised intermediate slopes, IBP-intersected intermediate bounds; on a
/// float64 copy of the network), a quick PGD search looks for a counterexample, and every row the root leaves is decided
/// by <see cref="BranchAndBound"/> within the image's time limit. The lower bound reported per row is a proven one: the
/// root's, or branch and bound's (its leaves' smallest bound when verified), both after the float64 rounding margin;
/// −∞ where a counterexample was found.
/// </summary>
public static class BabVerifier
{
    /// <summary>Lower bounds [B, K−1] (float32, rounded down) of z_y − z_j for images <paramref name="x"/> [B, …] with labels
    /// <paramref name="y"/> over the clamped ball of radius <paramref name="eps"/>, computed on <paramref name="float64"/>
    /// (<paramref name="float32"/> for the PGD search), <paramref name="secondsPerImage"/> per image; one record per image.</summary>
    public static (Tensor Lower, IReadOnlyList<BabImage> Images) Bounds(NetworkModule float32, NetworkModule float64, Tensor x, Tensor y, double eps,
        BabOptions options, double secondsPerImage, Action<int, BabImage>? progress = null)
    {
        using var _ = no_grad();
        long b = x.shape[0];
        int classes = (int)float64.Description.Output.Size;
        var labels = y.cpu().to(ScalarType.Int64).data<long>().ToArray();
        var lower = new List<double>();
        var images = new List<BabImage>();
        for (int e = 0; e < b; e++)
        {
            using var scope = NewDisposeScope();
            var (values, image) = Image(float32, float64, x[e].unsqueeze(0), (int)labels[e], classes, eps, options, secondsPerImage);
            lower.AddRange(values);
            images.Add(image);
            progress?.Invoke(e, image);
        }
        return (TriangleLp.Float32(lower, down: true, [b, classes - 1], x.device), images);
    }

    static (double[] Lower, BabImage Image) Image(NetworkModule float32, NetworkModule float64, Tensor x, int label, int classes, double eps,
        BabOptions options, double seconds)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        bool Expired() => clock.Elapsed.TotalSeconds >= seconds;
        var (lo, hi) = InputRegion.Corners(x.to(ScalarType.Float64), eps);
        var others = Enumerable.Range(0, classes).Where(j => j != label).ToArray();
        var rowValues = new double[others.Length * classes];
        for (int r = 0; r < others.Length; r++) { rowValues[r * classes + label] = 1; rowValues[r * classes + others[r]] = -1; }
        var rows = tensor(rowValues, dtype: ScalarType.Float64, device: x.device).view(others.Length, classes);   // z_y − z_j
        var zero = zeros(others.Length, dtype: ScalarType.Float64, device: x.device);
        var outcomes = new BabOutcome?[others.Length];
        long subproblems = 0;

        var (pre, rootLower) = BranchAndBound.RootBounds(float64, lo, hi, rows, options);
        var bounds = (rootLower - DifferenceMargin.OfRows(float64, lo, hi, rows.unsqueeze(0)))[0].cpu().data<double>().ToArray();
        BabImage Done(bool falsified) => new(outcomes, subproblems, clock.Elapsed.TotalSeconds, falsified);
        if (bounds.All(v => v > 0)) return (bounds, Done(false));

        // A counterexample to clause j: z_y − z_j ≤ 0 (some other class at least as high).
        var property = new PropertyTensors(lo, hi, rows, zero, Enumerable.Range(0, others.Length).ToArray(), others.Length, new bool[others.Length]);
        using (enable_grad())
            if (Falsifier.Search(float32, float64, property, 0, FalsifyOptions.Quick, new TorchSharp.torch.Generator(0, x.device), Expired) is { } cex)
            {
                bounds[cex.Clause] = double.NegativeInfinity;
                return (bounds, Done(true));
            }
        for (int r = 0; r < others.Length; r++)
        {
            if (bounds[r] > 0) continue;
            if (Expired()) break;
            var result = BranchAndBound.Run(float64, lo, hi, rows.narrow(0, r, 1), zero.narrow(0, r, 1), options, Expired,
                c => PropertyVerifier.Confirmed(float32, float64, property, 0, r, c) is not null, pre);
            subproblems += result.Subproblems;
            outcomes[r] = result.Outcome;
            if (result.Outcome == BabOutcome.Falsified) { bounds[r] = double.NegativeInfinity; return (bounds, Done(true)); }
            if (result.Outcome == BabOutcome.Verified) bounds[r] = result.Bound;
            else { bounds[r] = Math.Max(bounds[r], result.Bound); break; }   // undecided (both bounds are proven): not certified
        }
        return (bounds, Done(false));
    }
}
