using Certify.Functional.Bounds;
using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Verification;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Laws;

/// <summary>
/// The theorems of soundness.md §12.2 only (never §12.3's non-relations such as DeepZ vs Box or hBox vs zono), as inclusions
/// per ReLU input, per logit (eye) and for the merged difference lower bounds, with tol = 1e-5·(1 + |v|) for float32
/// rounding:
/// hBox ⊆ Box; zBox ⊆ hBox; zDiag ⊆ hDiag; Box ⊆ box:round=ω,per-unit=W ⊆ box:widen=ω; Box monotone in ε.
/// (Elision, merged diffs ⊇-tighter than l_y − u_j, is checked for every domain by <see cref="SoundnessLaw"/>.)
/// </summary>
public static class InclusionLaws
{
    sealed record Both(SpecBounds Diffs, SpecBounds Eye);

    static Both Run(NetworkCase c, string domain, double eps, Tensor x, Tensor y, Certify.Functional.Networks.NetworkModule net) => new(
        Verifier.Bounds(net, x, y, eps, SoundnessLaw.Parse(domain), SpecKind.Diffs),
        Verifier.Bounds(net, x, y, eps, SoundnessLaw.Parse(domain), SpecKind.Eye));

    /// <summary>inner ⊆ outer at every ReLU input, every logit, and d_inner ≥ d_outer.</summary>
    static void Included(string what, Both inner, Both outer)
    {
        for (int i = 0; i < inner.Diffs.PreActivation.Count; i++)
        {
            Box a = inner.Diffs.PreActivation[i], b = outer.Diffs.PreActivation[i];
            Tolerance.Inside($"{what}, ReLU input {i}", a.Lower.flatten(1), a.Upper.flatten(1), b.Lower.flatten(1), b.Upper.flatten(1));
        }
        Tolerance.Inside($"{what}, merged diffs", inner.Diffs.DiffLower, null, outer.Diffs.DiffLower, null);
        Box li = inner.Eye.Logits!, lo = outer.Eye.Logits!;
        Tolerance.Inside($"{what}, logits", li.Lower, li.Upper, lo.Lower, lo.Upper);
    }

    /// <summary>hBox ⊆ Box, zBox ⊆ hBox, zDiag ⊆ hDiag, Box ⊆ DC(ω, W) ⊆ C(ω).</summary>
    public static void Chains(InclusionCase ic)
    {
        var c = ic.Case;
        using var scope = NewDisposeScope();
        using var net = c.CreateNetwork();
        using var _ = no_grad();
        var (x, y) = (c.Inputs(), c.Labels());
        Both Of(string d) => Run(c, d, c.Eps, x, y, net);
        var box = Of("box");
        var hbox = Of("hbox");
        Included($"hbox ⊆ box on {ic}", hbox, box);
        Included($"zbox ⊆ hbox on {ic}", Of("zbox"), hbox);
        Included($"zdiag ⊆ hdiag on {ic}", Of("zdiag"), Of("hdiag"));
        var round = Of($"box:round={ic.Omega:R},per-unit={ic.PerUnit:R}");
        Included($"box ⊆ round on {ic}", box, round);
        Included($"round ⊆ widen on {ic}", round, Of($"box:widen={ic.Omega:R}"));
    }

    /// <summary>Box bounds at ε₁ lie inside those at ε₂ ≥ ε₁ (interval arithmetic is inclusion-isotone).</summary>
    public static void BoxMonotoneInEps(InclusionCase ic)
    {
        var c = ic.Case;
        using var scope = NewDisposeScope();
        using var net = c.CreateNetwork();
        using var _ = no_grad();
        var (x, y) = (c.Inputs(), c.Labels());
        Included($"box(ε₁) ⊆ box(ε₂) on {ic}", Run(c, "box", c.Eps, x, y, net), Run(c, "box", ic.LargerEps, x, y, net));
    }
}
