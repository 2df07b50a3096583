using Certify.Functional.Bounds;
using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Laws;

/// <summary>
/// soundness.md §12.1, written once for every sound domain: for points x' of the clamped box (center, uniform samples,
/// vertices), every ReLU input value lies in its recorded bounds, every difference z_y − z_j is ≥ its merged
/// ("diffs") lower bound, and every logit lies in its per-logit ("eye") bounds. Alongside, the representation
/// invariants l ≤ u of every recorded box and the elision theorem of soundness.md §12.2 (the merged lower bound is at least
/// l_y − u_j of the per-logit bounds).
/// </summary>
public static class SoundnessLaw
{
    /// <summary>Parses a domain name (test-time constant), failing the test on a parse error.</summary>
    public static Domain Parse(string name) => Domain.Parse(name).Match(d => d, e => throw new Xunit.Sdk.XunitException(e.Message));

    /// <summary>Number of (network, input) pairs checked so far, per domain name (for the coverage report).</summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> Checked = new();

    /// <summary>l ≤ u, exactly: the radius of a center/radius box, u − l of back-substitution's separately computed
    /// sides (equal computations at ε = 0; the "-C" constants rounded outward keep them ordered).</summary>
    static void Ordered(Domain domain, string what, Box box)
    {
        if (domain is DeepPolyDomain) Tolerance.NonNegative(what, box.Upper - box.Lower);
        else Tolerance.NonNegative(what, box.Radius);
    }

    /// <summary>Checks <paramref name="c"/> in <paramref name="domainName"/>; throws on the first violation.
    /// <paramref name="elision"/> = false skips the soundness.md §12.2 elision comparison, which is a theorem only when the merged
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

        for (int i = 0; i < trace.PreActivation.Count; i++)
        {
            var z = trace.PreActivation[i].view(b, p, -1);
            foreach (var (kind, bounds) in new[] { ("diffs", diffs), ("eye", eye) })
            {
                var box = bounds.PreActivation[i];
                var (l, u) = (box.Lower.flatten(1), box.Upper.flatten(1));
                Ordered(domain, $"{where}: radius of ReLU input {i} ({kind})", box);
                Tolerance.AtLeast($"{where}: ReLU input {i} ({kind})", l, z);
                Tolerance.AtMost($"{where}: ReLU input {i} ({kind})", u, z);
            }
        }

        var logits = trace.Logits.view(b, p, -1);
        var classes = logits.shape[2];
        var c64 = Spec.DiffMatrix(y, (int)classes).to(float64);       // [B, K−1, K]
        var differences = matmul(logits, c64.transpose(1, 2));       // [B, P, K−1]
        Tolerance.AtLeast($"{where}: z_y − z_j (diffs)", diffs.DiffLower, differences);
        Tolerance.AtLeast($"{where}: z_y − z_j (eye)", eye.DiffLower, differences);
        var perLogit = eye.Logits ?? throw new Xunit.Sdk.XunitException($"{where}: no per-logit bounds with SpecKind.Eye.");
        Ordered(domain, $"{where}: per-logit radius", perLogit);
        Tolerance.AtLeast($"{where}: logit (eye)", perLogit.Lower, logits);
        Tolerance.AtMost($"{where}: logit (eye)", perLogit.Upper, logits);

        // soundness.md §12.2 elision: d_j (merged) ≥ l_y − u_j (per-logit). Skipped (a) when asked: slopes optimised per specification
        // (α-CROWN) are not one relaxation; (b) for CROWN-IBP: its IBP intermediate bounds can be narrower than the range a
        // neuron's back-substituted expression takes over the input box, and outside [l, u] the ReLU's lower line may exceed
        // its upper one, so the per-logit split can win (seen: 1.4e-3 on a 2-6-4 net).
        if (!elision || domain is DeepPolyDomain { IbpIntermediate: true }) { Checked.AddOrUpdate(domainName, c.Batch, (_, n) => n + c.Batch); return; }
        var eyeDiff = perLogit.Lower.gather(1, y.unsqueeze(1)) - matmul(c64.neg().clamp_min(0), perLogit.Upper.to(float64).unsqueeze(2)).squeeze(2);
        // The outer value l_y − u_j is the difference of two float32 bounds, each accurate to tol(l_y) and tol(u_j): its
        // tolerance is that of |l_y| + |u_j|, the sizes it is computed from, not of the (possibly cancelled) difference.
        var termSize = perLogit.Lower.gather(1, y.unsqueeze(1)).abs() + matmul(c64.neg().clamp_min(0), perLogit.Upper.to(float64).abs().unsqueeze(2)).squeeze(2);
        Tolerance.Inside($"{where}: merged diffs vs l_y − u_j", diffs.DiffLower, null, eyeDiff, null, termSize);
        Checked.AddOrUpdate(domainName, c.Batch, (_, n) => n + c.Batch);
    }
}
