using Certify.Functional.Bounds;
using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Relaxations.Verification;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Laws;

/// <summary>
/// SPEC §12.1, written once for every sound domain: for points x' of the clamped box (center, uniform samples,
/// vertices), every ReLU input value lies in its recorded bounds, every difference z_y − z_j is ≥ its merged
/// ("diffs") lower bound, and every logit lies in its per-logit ("eye") bounds. Alongside, the representation
/// invariants l ≤ u of every recorded box and the elision theorem of §12.2 (the merged lower bound is at least
/// l_y − u_j of the per-logit bounds).
/// </summary>
public static class SoundnessLaw
{
    /// <summary>Parses a domain name (test-time constant), failing the test on a parse error.</summary>
    public static Domain Parse(string name) => Domain.Parse(name).Match(d => d, e => throw new Xunit.Sdk.XunitException(e.Message));

    /// <summary>Number of (network, input) pairs checked so far, per domain name (for the coverage report).</summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> Checked = new();

    /// <summary>l ≤ u: exactly for the domains that store a center and a radius; within tol for back-substitution, whose
    /// lower and upper sides are separate float32 computations (a zero-width interval may invert by an ulp, e.g.
    /// upper-tria-c at ε = 0: lower line x, upper line the constant u = x).</summary>
    static void Ordered(Domain domain, string what, Box box, Tensor? scale)
    {
        if (domain is DeepPolyDomain) Tolerance.Ordered(what, box.Lower.flatten(1), box.Upper.flatten(1), scale);
        else Tolerance.NonNegative(what, box.Radius);
    }

    /// <summary>Checks <paramref name="c"/> in <paramref name="domainName"/>; throws on the first violation.
    /// <paramref name="elision"/> = false skips the §12.2 elision comparison, which is a theorem only when the merged
    /// and per-logit bounds use the same relaxation (not for slopes optimised separately per specification, α-CROWN).</summary>
    public static void Holds(string domainName, NetworkCase c, bool elision = true)
    {
        var domain = Parse(domainName);
        using var scope = NewDisposeScope();
        using var net = c.CreateNetwork();
        using var _ = no_grad();
        var x = c.Inputs();
        var y = c.Labels();
        var diffs = Verifier.Bounds(net, x, y, c.Eps, domain, SpecKind.Diffs);
        var eye = Verifier.Bounds(net, x, y, c.Eps, domain, SpecKind.Eye);
        string where = $"{domainName} on {c}";

        var points = Sampling.Points(x, c.Eps, c.Seed);               // [B, P, …]
        long b = points.shape[0], p = points.shape[1];
        var trace = Float64Reference.Forward(net, points.flatten(0, 1));
        if (diffs.PreActivation.Count != trace.PreActivation.Count || eye.PreActivation.Count != trace.PreActivation.Count)
            throw new Xunit.Sdk.XunitException($"{where}: {diffs.PreActivation.Count} recorded pre-activation boxes for {trace.PreActivation.Count} ReLUs.");

        // The "-C" variants replace a stable neuron by a constant line equal to its own float32 bound (active: lower line
        // l; lower-tria-c dead: upper line x − l; upper-tria-c active: upper line u). At ε = 0 that line coincides with ReLU
        // in exact arithmetic, so every later bound inherits the float32 rounding of l and u, which scales with the
        // pre-activation magnitudes, not with the value checked (seen: deeppoly:lower-tria-c, ε = 0, scale-4 conv net,
        // 3.2e-5 at −0.979). For these variants alone the tolerance is relative to the largest pre-activation bound.
        Tensor? scale = null;                                           // [B] or null
        if (domain is DeepPolyDomain { Options.Variant: CrownVariant.ZeroC or CrownVariant.LowerTriaC or CrownVariant.UpperTriaC })
            foreach (var pre in diffs.PreActivation.Concat(eye.PreActivation))
            {
                var m = maximum(pre.Lower.abs(), pre.Upper.abs()).flatten(1).amax(1).to(float64);
                scale = scale is null ? m : maximum(scale, m);
            }
        Tensor? Scaled(Tensor? magnitude, int dims)
        {
            if (scale is null) return magnitude;
            var s2 = scale.view([-1, .. Enumerable.Repeat(1L, dims - 1)]);
            return magnitude is null ? s2 : maximum(magnitude, s2);
        }

        for (int i = 0; i < trace.PreActivation.Count; i++)
        {
            var z = trace.PreActivation[i].view(b, p, -1);
            foreach (var (kind, bounds) in new[] { ("diffs", diffs), ("eye", eye) })
            {
                var box = bounds.PreActivation[i];
                var (l, u) = (box.Lower.flatten(1), box.Upper.flatten(1));
                Ordered(domain, $"{where}: radius of ReLU input {i} ({kind})", box, Scaled(null, 2));
                var zScale = Scaled(z.abs(), 3);
                Tolerance.AtLeast($"{where}: ReLU input {i} ({kind})", l, z, zScale);
                Tolerance.AtMost($"{where}: ReLU input {i} ({kind})", u, z, zScale);
            }
        }

        var logits = trace.Logits.view(b, p, -1);
        var classes = logits.shape[2];
        var c64 = Spec.DiffMatrix(y, (int)classes).to(float64);       // [B, K−1, K]
        var differences = matmul(logits, c64.transpose(1, 2));       // [B, P, K−1]
        // A difference is computed from two logits' worth of float32 terms (merged row W_y − W_j): its rounding scales
        // with |z_y| + |z_j|, not with the (possibly cancelled) |z_y − z_j|. Seen with deeppoly:lower-tria-c at ε = 0,
        // whose active neurons' lower line is the float32 bound l itself: 2.1e-5 below a difference of 0.889.
        var magnitude = matmul(logits.abs(), c64.abs().transpose(1, 2));
        magnitude = Scaled(magnitude, 3)!;
        Tolerance.AtLeast($"{where}: z_y − z_j (diffs)", diffs.DiffLower, differences, magnitude);
        Tolerance.AtLeast($"{where}: z_y − z_j (eye)", eye.DiffLower, differences, magnitude);
        var perLogit = eye.Logits ?? throw new Xunit.Sdk.XunitException($"{where}: no per-logit bounds with SpecKind.Eye.");
        Ordered(domain, $"{where}: per-logit radius", perLogit, Scaled(null, 2));
        Tolerance.AtLeast($"{where}: logit (eye)", perLogit.Lower, logits, Scaled(logits.abs(), 3));
        Tolerance.AtMost($"{where}: logit (eye)", perLogit.Upper, logits, Scaled(logits.abs(), 3));

        // §12.2 elision: d_j (merged) ≥ l_y − u_j (per-logit). Skipped (a) when asked: slopes optimised per specification
        // (α-CROWN) are not one relaxation; (b) for CROWN-IBP: its IBP intermediate bounds can be narrower than the range a
        // neuron's back-substituted expression takes over the input box, and outside [l, u] the ReLU's lower line may exceed
        // its upper one, so the per-logit split can win (seen: 1.4e-3 on a 2-6-4 net).
        if (!elision || domain is DeepPolyDomain { IbpIntermediate: true }) { Checked.AddOrUpdate(domainName, c.Batch, (_, n) => n + c.Batch); return; }
        var eyeDiff = perLogit.Lower.gather(1, y.unsqueeze(1)) - matmul(c64.neg().clamp_min(0), perLogit.Upper.to(float64).unsqueeze(2)).squeeze(2);
        // Both sides are float32 computations that are equal in exact arithmetic at ε = 0; their rounding scales with the
        // size of the terms they are built from: the logits (|l_y| + |u_j|) and, for the "-C" variants whose stable lines
        // carry the bounds themselves as constants (see above), the pre-activation bounds.
        // Seen: deeppoly:lower-tria-c at ε = 0 on a scale-4 conv net, 5.9e-5 apart at −3.65.
        var termSize = perLogit.Lower.gather(1, y.unsqueeze(1)).abs() + matmul(c64.neg().clamp_min(0), perLogit.Upper.to(float64).abs().unsqueeze(2)).squeeze(2);
        termSize = Scaled(termSize, 2)!;
        Tolerance.Inside($"{where}: merged diffs vs l_y − u_j", diffs.DiffLower, null, eyeDiff, null, termSize);
        Checked.AddOrUpdate(domainName, c.Batch, (_, n) => n + c.Batch);
    }
}
