using Certify.Functional.Bounds;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.DeepZ;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Bab;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Relaxations.Hybrid;
using Certify.Functional.Relaxations.Ibp;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Verification.Optimization;
using Certify.Functional.Verification.Runtime;
using Certify.Functional.Relaxations.Shared;
using Certify.Functional.Verification.Triangle;
using static TorchSharp.torch;

namespace Certify.Functional.Verification;

/// <summary>
/// The entry points a researcher reaches for first: <see cref="Bounds(NetworkModule, Tensor, Tensor, double, Domain, SpecKind)"/> (per-layer pre-activation bounds and the
/// specification bounds of a batch in a domain) and <see cref="Certify"/>. Declared networks run their generated
/// straight-line propagators; any other network is interpreted layer by layer with the same modules.
/// Tensors returned belong to the caller's dispose scope.
/// </summary>
public static class Verifier
{
    /// <summary>Bounds for inputs <paramref name="x"/> [B, …] (pixels in [0, 1]) with labels <paramref name="y"/> [B]
    /// over the clamped ball of radius <paramref name="eps"/>. Differentiable (use under no_grad to verify only), except
    /// <see cref="TriangleLpDomain"/> (LP optima: constants without gradient; see <see cref="TriangleLp.Bounds"/> for progress).
    /// With <see cref="SpecKind.Eye"/> the differences l_y − u_j are rounded outward by <see cref="DifferenceMargin"/> in
    /// the bounds' precision (a constant: no gradient flows through the margin); <see cref="SpecBounds.Unrounded"/> keeps
    /// them as computed.</summary>
    public static SpecBounds Bounds(NetworkModule net, Tensor x, Tensor y, double eps, Domain domain, SpecKind kind = SpecKind.Diffs) =>
        Bounds(Propagators.For(net), x, y, eps, domain, kind);

    /// <summary><see cref="Bounds(NetworkModule, Tensor, Tensor, double, Domain, SpecKind)"/> with propagators bound once
    /// (generated or interpreted), as trainers use it. <paramref name="asComputed"/> leaves the per-logit differences
    /// without their outward rounding (DiffLower is then no bound, <see cref="SpecBounds.Unrounded"/> null): for a training
    /// loss, which uses the values as computed and should not pay for the margin's extra pass.</summary>
    public static SpecBounds Bounds(Propagators propagators, Tensor x, Tensor y, double eps, Domain domain, SpecKind kind = SpecKind.Diffs,
        bool asComputed = false)
    {
        int classes = (int)propagators.Network.Description.Output.Size;
        Spec spec = kind == SpecKind.Diffs ? Spec.Diffs(y, classes) : Spec.Eye(y);
        var bounds = Compute(propagators, x, y, eps, domain, kind, spec, classes);
        if (spec is DiffSpec d) return bounds with { Others = d.Others };                   // reused by the loss
        return domain is TriangleLpDomain or BabDomain || asComputed ? bounds : RoundedOutward(bounds, propagators.Network, x, y, eps);
    }

    // Per-logit differences l_y − u_j: each side errs relative to its own logit's terms (M_y, M_j), so the difference
    // can err far beyond its own size when z_y ≈ z_j cancel (seen: 1.2e-5 above z_y − z_j = 0.168 at ε = 0, CROWN on a
    // scale-4 conv net, ExploredSeedRegression). The margin bounds that error a priori; the Triangle LP's differences
    // are formed in float64 and need none here (FinalCheck holds them to the float64 margin).
    /// <summary>Where <see cref="BabDomain"/> reports each image it finished (index in the batch and what happened), when set;
    /// the CLI sets it for progress lines. Not thread-safe: set it before a run.</summary>
    public static Action<int, BabImage>? BabProgress { get; set; }

    static SpecBounds RoundedOutward(SpecBounds bounds, NetworkModule net, Tensor x, Tensor y, double eps) =>
        bounds with { DiffLower = bounds.DiffLower - DifferenceMargin.Of(net, x, y, eps), Unrounded = bounds.DiffLower };

    static SpecBounds Compute(Propagators p, Tensor x, Tensor y, double eps, Domain domain, SpecKind kind, Spec spec, int classes)
    {
        if (domain is TriangleLpDomain t) return TriangleLp.Bounds(p.Network, x, y, eps, progress: null, t.Options, kind);
        if (domain is BabDomain bab)
        {
            if (kind != SpecKind.Diffs) throw new ArgumentException($"Domain '{bab.Name}' bounds logit differences only.", nameof(kind));
            using var float64 = FinalCheck.Float64Copy(p.Network, x.device);
            return new SpecBounds([], BabVerifier.Bounds(p.Network, float64, x, y, eps, bab.Options, bab.Seconds, BabProgress).Lower, null, kind);
        }
        var (lo, hi) = InputRegion.Corners(x, eps);
        return Compute(p, lo, hi, y, domain, kind, spec, classes);
    }

    /// <summary>Lower bounds [B, M] of the rows of <paramref name="rows"/> [B, M, K] applied to the network's outputs,
    /// c_m·f(x), over the box [<paramref name="lo"/>, <paramref name="hi"/>] ([B, …input], any corners), in
    /// <paramref name="domain"/>, as computed (not rounded outward: <see cref="DifferenceMargin.OfRows"/> is the margin
    /// a proof subtracts). The rows are merged into the last layer, as the logit differences are. For any linear
    /// property (VNN-LIB); every domain but iclr2021 and the Triangle LP.</summary>
    public static Tensor RowLower(NetworkModule net, Tensor lo, Tensor hi, Tensor rows, Domain domain)
    {
        if (domain is TriangleLpDomain or Iclr2021Domain or BabDomain)
            throw new ArgumentException($"Domain '{domain.Name}' bounds only logit differences; use box, zono, hbox, crown, crown-ibp or alpha-crown for linear rows.", nameof(domain));
        if (domain.Unsoundness is { } why) throw new ArgumentException(why, nameof(domain));
        var spec = Spec.Rows(rows.to(lo.dtype));
        return Compute(Propagators.For(net), lo, hi, spec.Labels, domain, SpecKind.Diffs, spec, (int)net.Description.Output.Size).DiffLower;
    }

    static SpecBounds Compute(Propagators p, Tensor lo, Tensor hi, Tensor y, Domain domain, SpecKind kind, Spec spec, int classes)
    {
        var net = p.Network;
        var asLayer = kind == SpecKind.Eye ? SpecLayer.AsLayer(Spec.Diffs(y, classes), lo.dtype) : null;
        switch (domain)
        {
            case IbpDomain b:
            {
                var box = p.Box(InputRegion.Box(lo, hi), b.Options, spec);
                return Result(box.PreActivation, box.Output, asLayer is null ? box.Output : DenseBox.Propagate(asLayer, box.Output), kind);
            }
            case ZonotopeDomain z:
            {
                var ibp = z.IbpBounds ? p.Box(InputRegion.Box(lo, hi), BoxOptions.Plain, spec).PreActivation : null;
                var zono = p.Zonotope(InputRegion.Zonotope(InputRegion.Box(lo, hi)), z.Options, spec, ibp);
                return Result(zono.PreActivation, zono.Output.Concretize(), (asLayer is null ? zono.Output : DenseZonotope.Propagate(asLayer, zono.Output)).Concretize(), kind);
            }
            case HybridDomain h:
            {
                var hybrid = p.Hybrid(InputRegion.Hybrid(InputRegion.Box(lo, hi)), h.Options, spec);
                return Result(hybrid.PreActivation, hybrid.Output.Concretize(), (asLayer is null ? hybrid.Output : DenseHybrid.Propagate(asLayer, hybrid.Output)).Concretize(), kind);
            }
            case DeepPolyDomain d:
            {
                var ibp = d.IbpIntermediate ? p.Box(InputRegion.Box(lo, hi), BoxOptions.Plain, spec).PreActivation : null;
                var result = p.DeepPoly(lo, hi, d.Options, spec, ibp, null);
                return BackSubstituted(result.PreActivation, result.Lower, result.Upper, y, kind);
            }
            case Iclr2021Domain i:
            {
                var ibp = p.Box(InputRegion.Box(lo, hi), BoxOptions.Plain, spec).PreActivation;
                var result = Iclr2021.Propagate(net, lo, hi, spec, ibp, i.Seed);
                return BackSubstituted(result.PreActivation, result.Lower, result.Upper, y, kind);
            }
            case AlphaCrownDomain a:
            {
                var result = AlphaCrown.Propagate(net, lo, hi, a.Options, spec);
                return BackSubstituted(result.PreActivation, result.Lower, result.Upper, y, kind);
            }
            default:
                throw new ArgumentException($"Domain '{domain.Name}' has no bound computation here.", nameof(domain));
        }
    }

    /// <summary>Certified flags [B] (bool): every lower bound of z_y − z_j strictly positive, confirmed in float64 above
    /// its rounding margin (<see cref="FinalCheck"/>). Runs without gradients.
    /// Refuses the defect-compatible unsound domains (zdiag-c-unsound, "-C" …-unrounded), whose "certificates" would mean nothing,
    /// and throws <see cref="InvalidOperationException"/> when a native kernel failed its self-check (<see cref="KernelCheck"/>).</summary>
    public static Tensor Certify(NetworkModule net, Tensor x, Tensor y, double eps, Domain domain, SpecKind kind = SpecKind.Diffs)
    {
        if (domain.Unsoundness is { } why) throw new ArgumentException(why, nameof(domain));
        KernelCheck.ThrowIfFailed(x.device);
        using var _ = no_grad();
        using var float64 = FinalCheck.Float64Copy(net, x.device);
        return FinalCheck.Certified(float64, x, y, eps, domain, kind, Bounds(net, x, y, eps, domain, kind).DiffLowerAsComputed);
    }

    static SpecBounds BackSubstituted(IReadOnlyList<Box> pre, Tensor lower, Tensor? upper, Tensor y, SpecKind kind) => upper is null
        ? new SpecBounds(pre, lower, null, kind)
        : new SpecBounds(pre, DiffsFromLogits(lower, upper, y), Box.FromBounds(lower, upper), kind);

    // l_y − u_j for j ≠ y in increasing j, from per-logit bounds [B, K].
    static Tensor DiffsFromLogits(Tensor lower, Tensor upper, Tensor y)
    {
        var others = Spec.OtherClasses(y, (int)lower.shape[1]);
        return lower.gather(1, y.unsqueeze(1)) - upper.gather(1, others);
    }

    static SpecBounds Result(IReadOnlyList<Box> pre, Box output, Box diffs, SpecKind kind) =>
        new(pre, diffs.Lower, kind == SpecKind.Eye ? output : null, kind);
}
