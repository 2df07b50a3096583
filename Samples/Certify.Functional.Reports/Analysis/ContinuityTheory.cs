using Certify.Functional.Bounds;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using LanguageExt;

namespace Certify.Functional.Analysis;

/// <summary>One row of properties.md §7.2's continuity table: where the relaxation's per-neuron transformer jumps.</summary>
/// <param name="Domain">The domain name as parsed.</param>
/// <param name="JumpAtLowerZero">The transformer jumps where l crosses 0.</param>
/// <param name="JumpAtUpperZero">…where u crosses 0.</param>
/// <param name="JumpAtBalanced">…where |l| = u (area heuristic switch).</param>
/// <param name="OtherJumps">Jumps elsewhere (loose Box DC: l, u ∈ (1/W)ℤ; iclr2021: sign of a gradient).</param>
/// <param name="Note">Why, in one line (properties.md §7.2 row, or [DERIVED] for rows properties.md §7.2 does not list).</param>
public sealed record ContinuityRow(string Domain, bool JumpAtLowerZero, bool JumpAtUpperZero, bool JumpAtBalanced, bool OtherJumps, string Note)
{
    /// <summary>L_abs is continuous in θ: no jump anywhere.</summary>
    public bool Continuous => !(JumpAtLowerZero || JumpAtUpperZero || JumpAtBalanced || OtherJumps);
}

/// <summary>
/// properties.md §7.2's per-relaxation analysis as data, for reports. Criterion (properties.md §7.2): the abstract loss is continuous in θ
/// iff the per-neuron linear bounds (λ_l, μ_l, λ_u, μ_u), or (λ, μ) for the zonotope/hybrid families, are continuous in
/// (l, u) on {l ≤ u} including across l = 0 and u = 0, since the bounds themselves are continuous in θ for continuous
/// transformers and everything else is continuous algebra.
/// </summary>
public static class ContinuityTheory
{
    /// <summary>The domains of the table, by the names <see cref="Domain.Parse"/> accepts.</summary>
    public static IReadOnlyList<string> TableDomains { get; } =
    [
        "box", "box:widen=0.1", "box:round=0.5,per-unit=10",
        "zono", "hzono", "zono-ibp", "zono:gamma=1", "hzono:gamma=1",
        "hbox", "zbox", "hdiag", "zdiag", "hdiag-c", "zdiag-c", "zdiag-c-unsound", "hswitch", "zswitch",
        "deeppoly", "crown", "crown-ibp", "deeppoly:0", "deeppoly:0-c", "deeppoly:1", "deeppoly:1-c",
        "deeppoly:lower-tria", "deeppoly:upper-tria", "deeppoly:lower-tria-c", "deeppoly:upper-tria-c",
        "deeppoly:gamma=1", "crown-ibp:gamma=10", "alpha-crown", "iclr2021", "triangle-lp",
    ];

    /// <summary>The row of every domain of <see cref="TableDomains"/>.</summary>
    public static IReadOnlyList<ContinuityRow> Table => TableDomains.Select(name => For(Domain.Parse(name).ThrowIfFail())).ToList();

    /// <summary>The row of a domain given by name (fails like <see cref="Domain.Parse"/>).</summary>
    public static Fin<ContinuityRow> For(string domain) => Domain.Parse(domain).Map(For);

    /// <summary>The row of <paramref name="domain"/>.</summary>
    public static ContinuityRow For(Domain domain)
    {
        ContinuityRow Row(bool l0, bool u0, bool balanced, string note, bool other = false) => new(domain.Name, l0, u0, balanced, other, note);
        return domain switch
        {
            IbpDomain { Options.Loosening: Round } => Row(false, false, false, "loose Box DC: the widening jumps by ω at every l, u ∈ (1/W)ℤ", other: true),
            IbpDomain { Options.Loosening: Widen } => Row(false, false, false, "loose Box C: [l − ω, u + ω] then relu, continuous"),
            IbpDomain => Row(false, false, false, "Box: [relu(l), relu(u)] is continuous in (l, u)"),
            ZonotopeDomain z => Zono(z.Options, Row, z.IbpBounds),
            HybridDomain h => Zono(h.Options, Row, ibp: false),
            DeepPolyDomain d => Crown(d.Options, Row, d.IbpIntermediate),
            AlphaCrownDomain => Row(false, false, true,
                "α-CROWN [DERIVED]: CROWN intermediate bounds (intersected with IBP's: max/min are continuous) and finitely many ascent steps from CROWN's adaptive slopes inherit its |l| = u switch"),
            Iclr2021Domain => Row(false, false, false,
                "iclr2021 [DERIVED]: λ_l = clamp(λ₀ − sign(∂CE/∂λ_l)) ∈ {0, 1} jumps where a gradient changes sign", other: true),
            TriangleLpDomain => Row(false, false, false,
                "Triangle LP [DERIVED]: the convex hull of relu on [l, u] tends to the line y = x (l → 0) or y = 0 (u → 0); LP optima are continuous"),
            _ => throw new ArgumentException($"Domain '{domain.Name}' has no continuity row.", nameof(domain)),
        };
    }

    static ContinuityRow Zono(ZonotopeOptions options, Func<bool, bool, bool, string, bool, ContinuityRow> row, bool ibp) => options.Relu switch
    {
        ZonoRelu.DeepZ => row(false, false, false, ibp
            ? "DeepZ with IBP case split: λ* → 1, μ → 0 at l = 0; λ* → 0, μ → 0 at u = 0"
            : "DeepZ: λ* = u/(u − l) → 1, μ → 0 at l = 0; λ* → 0, μ → 0 at u = 0", false),
        ZonoRelu.Box => row(true, false, false, "*-Box: crossing (λ, μ) = (0, u/2) vs active (1, 0) at l = 0", false),
        ZonoRelu.Diag => row(false, true, false, "*-Diag: crossing (1, −l/2) vs dead (0, 0) at u = 0", false),
        ZonoRelu.DiagC or ZonoRelu.DiagCDefect => row(false, false, false, "*-Diag-C: dead neurons shifted like crossing ones, continuous", false),
        ZonoRelu.Switch => row(false, false, true, "*-Switch: slope 1 ↔ 0 (diag ↔ box) where −l = u", false),
        ZonoRelu.Soft => row(false, false, false, "DeepZ-Soft: σ(γ(l/u − u/l)) slope, continuous", false),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Relu, "Unknown ReLU transformer."),
    };

    static ContinuityRow Crown(CrownOptions options, Func<bool, bool, bool, string, bool, ContinuityRow> row, bool ibp) => options.Variant switch
    {
        CrownVariant.Adaptive => row(false, false, true, (ibp ? "CROWN-IBP (R)" : "CROWN / DeepPoly") + ": lower slope 0 ↔ 1 where |l| = u", false),
        CrownVariant.Zero => row(true, false, false, "CROWN-0: lower 0 (crossing) vs x (active) at l = 0", false),
        CrownVariant.ZeroC => row(false, false, false, "CROWN-0-C: active lower line l, continuous", false),
        CrownVariant.One => row(false, true, false, "CROWN-1: lower x (crossing) vs 0 (dead) at u = 0", false),
        CrownVariant.OneC => row(false, false, false, "CROWN-1-C: dead lower line x, continuous", false),
        CrownVariant.LowerTria => row(true, true, false, "CROWN-0-Tria: upper x − l and lower 0 jump at l = 0 and u = 0", false),
        CrownVariant.UpperTria => row(true, true, false, "CROWN-1-Tria: upper u and lower x jump at l = 0 and u = 0", false),
        CrownVariant.LowerTriaC or CrownVariant.UpperTriaC => row(false, false, false, "CROWN-*-Tria-C: continuous", false),
        CrownVariant.Soft => row(false, false, false, (ibp ? "CROWN-Soft-IBP" : "CROWN-Soft") + ": σ(γ(l/u − u/l)) lower slope, continuous", false),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Variant, "Unknown CROWN variant."),
    };
}
