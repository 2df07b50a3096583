using System.Globalization;
using Certify.Functional.Bounds;
using Certify.Functional.Errors;
using Certify.Functional.Relaxations.DeepPoly;
using Certify.Functional.Verification.Bab;
using Certify.Functional.Verification.Optimization;
using Certify.Functional.Verification.Triangle;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Functional.Verification.Domains;

/// <summary>
/// A verification/training domain: a family (Box, zonotope, hybrid zonotope) and its variant options, by the
/// reference's names (relaxations.md §3): <c>box</c>, <c>hbox</c>, <c>hzono</c>, <c>hdiag</c>, <c>hdiag-c</c>, <c>hswitch</c>,
/// <c>zono</c>, <c>zbox</c>, <c>zdiag</c>, <c>zdiag-c</c>, <c>zswitch</c>, <c>zono-ibp</c>, with options
/// <c>zono:gamma=1</c> (soft slope), <c>box:widen=0.1</c>, <c>box:round=0.5,per-unit=10</c>.
/// <c>zdiag-c-unsound</c> is the reference's defective transformer, available for reproduction only: it never certifies.
/// Likewise <c>deeppoly:lower-tria-c-unrounded</c> (and <c>0-c</c>, <c>upper-tria-c</c>): the "-C" lines with the
/// reference's float32 constants, without the outward rounding of <see cref="RoundingMargin"/>.
/// Back-substitution: <c>deeppoly</c> (the paper's CROWN/DeepPoly), <c>crown</c> (the same with every intermediate bound
/// intersected with IBP's, as auto_LiRPA; <c>crown:intersect=0</c> = <c>deeppoly</c>), <c>crown-ibp</c>.
/// Optimised lower slopes: <c>iclr2021</c> (<c>iclr2021:seed=7</c>) and <c>alpha-crown</c>
/// (<c>alpha-crown:steps=20,lr=0.1,decay=0.98,intermediate=1,signed=1,intersect=1</c>).
/// <c>triangle-lp</c> is the exact layer-wise Triangle LP (evaluation only, fully connected networks; option
/// <c>triangle-lp:skip-stable=1</c> skips the LPs of neurons CROWN proves stable, same certificates).
/// <c>bab</c> is complete verification by branch and bound (evaluation only; <c>bab:time=60,steps=10,beta=1,warm=1</c>).
/// </summary>
public abstract record Domain(string Name)
{
    /// <summary>False only for the defect-compatible domains (<c>zdiag-c-unsound</c>, the "-C" CROWN variants'
    /// <c>-unrounded</c> forms): they compute the reference's numbers for reproduction and never certify.</summary>
    public bool IsSound => Unsoundness is null;

    /// <summary>Why a defect-compatible domain is unsound and what to use instead; null for sound domains.</summary>
    public virtual string? Unsoundness => null;

    /// <summary>IBP / Box.</summary>
    public static IbpDomain Box { get; } = new("box", BoxOptions.Plain);
    /// <summary>hBox / symbolic intervals.</summary>
    public static HybridDomain HBox { get; } = new("hbox", new(ZonoRelu.Box));
    /// <summary>DeepZ.</summary>
    public static ZonotopeDomain DeepZ { get; } = new("zono", new(ZonoRelu.DeepZ), IbpBounds: false);

    /// <summary>The exact layer-wise Triangle LP (GLOP; slow, evaluation only).</summary>
    public static TriangleLpDomain TriangleLp { get; } = new("triangle-lp", TriangleLpOptions.Exact);

    /// <summary>CROWN / DeepPoly: back-substitution for every intermediate bound.</summary>
    public static DeepPolyDomain DeepPoly { get; } = new("deeppoly", new(), IbpIntermediate: false);

    /// <summary>Verification's CROWN (auto_LiRPA's): <see cref="DeepPoly"/> with every intermediate bound intersected
    /// with IBP's (<see cref="CrownOptions.IntersectIbp"/>; <c>crown:intersect=0</c> is <c>deeppoly</c>).</summary>
    public static DeepPolyDomain Crown { get; } = new("crown", new(IntersectIbp: true), IbpIntermediate: false);

    static readonly Dictionary<string, Domain> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["box"] = Box,
        ["hbox"] = HBox, ["hzono"] = new HybridDomain("hzono", new(ZonoRelu.DeepZ)), ["hdiag"] = new HybridDomain("hdiag", new(ZonoRelu.Diag)),
        ["hdiag-c"] = new HybridDomain("hdiag-c", new(ZonoRelu.DiagC)), ["hswitch"] = new HybridDomain("hswitch", new(ZonoRelu.Switch)),
        ["zono"] = DeepZ, ["zbox"] = new ZonotopeDomain("zbox", new(ZonoRelu.Box), false), ["zdiag"] = new ZonotopeDomain("zdiag", new(ZonoRelu.Diag), false),
        ["zdiag-c"] = new ZonotopeDomain("zdiag-c", new(ZonoRelu.DiagC), false), ["zswitch"] = new ZonotopeDomain("zswitch", new(ZonoRelu.Switch), false),
        ["zono-ibp"] = new ZonotopeDomain("zono-ibp", new(ZonoRelu.DeepZ), IbpBounds: true),
        ["zdiag-c-unsound"] = new ZonotopeDomain("zdiag-c-unsound", new(ZonoRelu.DiagCDefect), false),
        ["deeppoly"] = DeepPoly, ["crown"] = Crown,
        ["crown-ibp"] = new DeepPolyDomain("crown-ibp", new(), IbpIntermediate: true),
        ["iclr2021"] = new Iclr2021Domain("iclr2021", Iclr2021.DefaultSeed),
        ["alpha-crown"] = new AlphaCrownDomain("alpha-crown", AlphaCrownOptions.Default),
        ["triangle-lp"] = TriangleLp,
        ["bab"] = new BabDomain("bab", BabOptions.Default, BabDomain.DefaultSeconds),
    };

    static readonly Dictionary<string, CrownVariant> Variants = new(StringComparer.OrdinalIgnoreCase)
    {
        ["0"] = CrownVariant.Zero, ["1"] = CrownVariant.One, ["0-c"] = CrownVariant.ZeroC, ["1-c"] = CrownVariant.OneC,
        ["lower-tria"] = CrownVariant.LowerTria, ["upper-tria"] = CrownVariant.UpperTria,
        ["lower-tria-c"] = CrownVariant.LowerTriaC, ["upper-tria-c"] = CrownVariant.UpperTriaC,
    };

    /// <summary>Every base name.</summary>
    public static IEnumerable<string> Names => Known.Keys;

    /// <summary>Parses <c>name</c> or <c>name:key=value,…</c> (keys: gamma for zono/hzono; widen, round, per-unit for box).</summary>
    public static Fin<Domain> Parse(string text)
    {
        var parts = text.Trim().Split(':', 2);
        if (Known.TryGetValue(parts[0], out var dp) && dp is DeepPolyDomain deepPoly && parts.Length == 2)
            return ParseCrown(text, deepPoly, parts[1]);
        if (Known.TryGetValue(parts[0], out var optimised) && optimised is AlphaCrownDomain or Iclr2021Domain && parts.Length == 2)
            return ParseOptimised(text, optimised, parts[1]);
        if (Known.TryGetValue(parts[0], out var bab) && bab is BabDomain babDomain && parts.Length == 2)
            return ParseBab(text, babDomain, parts[1]);
        if (!Known.TryGetValue(parts[0], out var domain))
            return FinFail<Domain>(Error.New(ErrorCodes.InvalidConfig, $"Unknown domain '{parts[0]}'. Known: {string.Join(", ", Names)}."));
        if (parts.Length == 1) return FinSucc(domain);
        var options = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (var kv in parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var pair = kv.Split('=', 2);
            if (pair.Length != 2 || !double.TryParse(pair[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                return FinFail<Domain>(Error.New(ErrorCodes.InvalidConfig, $"Domain '{text}': option '{kv}' is not key=number."));
            options[pair[0]] = v;
        }
        return domain switch
        {
            IbpDomain b when options.Keys.All(k => k is "widen" or "round" or "per-unit") && options.Count > 0 => LooseBox(text, options),
            ZonotopeDomain { Options.Relu: ZonoRelu.DeepZ, IbpBounds: false } z when options.Keys.All(k => k == "gamma") =>
                FinSucc<Domain>(z with { Name = text, Options = new ZonotopeOptions(ZonoRelu.Soft, options["gamma"]) }),
            TriangleLpDomain t when options.Keys.All(k => k == "skip-stable") && options["skip-stable"] is 0 or 1 =>
                FinSucc<Domain>(t with { Name = text, Options = t.Options with { SkipStable = options["skip-stable"] == 1 } }),
            HybridDomain { Options.Relu: ZonoRelu.DeepZ } h when options.Keys.All(k => k == "gamma") =>
                FinSucc<Domain>(h with { Name = text, Options = new ZonotopeOptions(ZonoRelu.Soft, options["gamma"]) }),
            _ => FinFail<Domain>(Error.New(ErrorCodes.InvalidConfig,
                $"Domain '{text}': unsupported options. Use zono:gamma=γ, hzono:gamma=γ, box:widen=ω, box:round=ω,per-unit=W or triangle-lp:skip-stable=1.")),
        };
    }

    // deeppoly:0-c, deeppoly:upper-tria, deeppoly:gamma=1, crown-ibp:gamma=10, crown-ibp:1 (evaluation honours variants),
    // crown:intersect=0, crown:1,intersect=0: comma-separated, at most one variant (or gamma); intersect only where the
    // intermediate bounds are back-substituted (not crown-ibp).
    static Fin<Domain> ParseCrown(string text, DeepPolyDomain domain, string options)
    {
        var result = domain.Options;
        bool relaxation = false;
        foreach (var option in options.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var next = CrownOption(domain, result, option);
            if (next is null)
                return FinFail<Domain>(Error.New(ErrorCodes.InvalidConfig,
                    $"Domain '{text}': unknown CROWN option '{option}'. Use one of {string.Join(", ", Variants.Keys)}, gamma=γ (γ > 0), a \"-C\" variant with -unrounded (the reference's float32 constants, reproduction only)" +
                    (domain.IbpIntermediate ? "." : ", or intersect=0/1 (intersect intermediate bounds with IBP's).")));
            bool isRelaxation = !option.StartsWith("intersect=", StringComparison.OrdinalIgnoreCase);
            if (isRelaxation && relaxation)
                return FinFail<Domain>(Error.New(ErrorCodes.InvalidConfig, $"Domain '{text}': at most one ReLU relaxation (variant or gamma=γ)."));
            relaxation |= isRelaxation;
            result = next;
        }
        return FinSucc<Domain>(domain with { Name = text, Options = result });
    }

    // One CROWN option applied to the options so far, or null when it is not one.
    static CrownOptions? CrownOption(DeepPolyDomain domain, CrownOptions current, string option)
    {
        if (Variants.TryGetValue(option, out var variant))
            return current with { Variant = variant, Gamma = 1.0, Unrounded = false };
        const string unrounded = "-unrounded";
        if (option.EndsWith(unrounded, StringComparison.OrdinalIgnoreCase) && Variants.TryGetValue(option[..^unrounded.Length], out var raw)
            && RoundingMargin.HasConstantLines(raw))
            return current with { Variant = raw, Gamma = 1.0, Unrounded = true };
        var pair = option.Split('=', 2);
        if (pair.Length != 2) return null;
        if (pair[0].Equals("gamma", StringComparison.OrdinalIgnoreCase)
            && double.TryParse(pair[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var gamma) && double.IsFinite(gamma) && gamma > 0)
            return current with { Variant = CrownVariant.Soft, Gamma = gamma, Unrounded = false };
        if (pair[0].Equals("intersect", StringComparison.OrdinalIgnoreCase) && !domain.IbpIntermediate && pair[1] is "0" or "1")
            return current with { IntersectIbp = pair[1] == "1" };
        return null;
    }

    // alpha-crown:steps=20,lr=0.1,decay=0.98,intermediate=1,signed=1,intersect=0 and iclr2021:seed=7; unknown keys and bad values fail.
    static Fin<Domain> ParseOptimised(string text, Domain domain, string options)
    {
        var values = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (var kv in options.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = kv.Split('=', 2);
            if (pair.Length != 2 || !double.TryParse(pair[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                return FinFail<Domain>(Error.New(ErrorCodes.InvalidConfig, $"Domain '{text}': option '{kv}' is not key=number."));
            values[pair[0]] = v;
        }
        static bool Whole(double v, double min, double max) => v == Math.Floor(v) && v >= min && v <= max;
        Fin<Domain> Bad(string fix) => FinFail<Domain>(Error.New(ErrorCodes.InvalidConfig, $"Domain '{text}': {fix}"));
        if (domain is Iclr2021Domain iclr)
            return values.Keys.All(k => k.Equals("seed", StringComparison.OrdinalIgnoreCase)) && values.TryGetValue("seed", out var seed) && Whole(seed, 0, 1e15)
                ? FinSucc<Domain>(iclr with { Name = text, Seed = (ulong)seed })
                : Bad("use iclr2021:seed=S (an integer S ≥ 0).");
        string[] keys = ["steps", "lr", "decay", "intermediate", "signed", "intersect"];
        if (values.Keys.FirstOrDefault(k => !keys.Contains(k, StringComparer.OrdinalIgnoreCase)) is { } unknown)
            return Bad($"unknown option '{unknown}'. Use {string.Join(", ", keys)} (e.g. alpha-crown:steps=20,lr=0.1,intermediate=1).");
        var d = AlphaCrownOptions.Default;
        double Get(string key, double fallback) => values.TryGetValue(key, out var v) ? v : fallback;
        var o = new AlphaCrownOptions((int)Math.Min(Get("steps", d.Steps), int.MaxValue), Get("lr", d.LearningRate), Get("decay", d.Decay),
            Get("intermediate", d.Intermediate ? 1 : 0) == 1, Get("signed", d.Signed ? 1 : 0) == 1, Get("intersect", d.IntersectIbp ? 1 : 0) == 1);
        if (!Whole(Get("steps", d.Steps), 0, 100_000)) return Bad($"steps must be an integer in [0, 100000], got {Get("steps", d.Steps)}.");
        if (!(o.LearningRate > 0)) return Bad($"lr must be > 0, got {o.LearningRate}.");
        if (!(o.Decay is > 0 and <= 1)) return Bad($"decay must be in (0, 1], got {o.Decay}.");
        foreach (var flag in new[] { "intermediate", "signed", "intersect" })
            if (values.TryGetValue(flag, out var f) && f is not (0 or 1)) return Bad($"{flag} must be 0 or 1, got {f}.");
        return FinSucc<Domain>(new AlphaCrownDomain(text, o));
    }

    // bab:time=60,steps=10,beta=1,warm=1,batch=64,candidates=3,subproblems=0; unknown keys and bad values fail.
    static Fin<Domain> ParseBab(string text, BabDomain domain, string options)
    {
        Fin<Domain> Bad(string fix) => FinFail<Domain>(Error.New(ErrorCodes.InvalidConfig, $"Domain '{text}': {fix}"));
        var o = domain.Options;
        double seconds = domain.Seconds;
        foreach (var kv in options.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = kv.Split('=', 2);
            if (pair.Length != 2 || !double.TryParse(pair[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                return Bad($"option '{kv}' is not key=number.");
            bool whole = v == Math.Floor(v);
            switch (pair[0].ToLowerInvariant())
            {
                case "time" when v > 0: seconds = v; break;
                case "steps" when whole && v is >= 0 and <= 1000: o = o with { AlphaSteps = (int)v }; break;
                case "input-steps" when whole && v is >= 0 and <= 1000: o = o with { InputAlphaSteps = (int)v }; break;
                case "root-steps" when whole && v is >= 0 and <= 1000: o = o with { RootSteps = (int)v }; break;
                case "beta" when v is 0 or 1: o = o with { Beta = v == 1 }; break;
                case "warm" when v is 0 or 1: o = o with { WarmStart = v == 1 }; break;
                case "batch" when whole && v is >= 1 and <= 100_000: o = o with { Batch = (int)v, InputBatch = (int)v }; break;
                case "candidates" when whole && v is >= 1 and <= 1000: o = o with { Candidates = (int)v }; break;
                case "subproblems" when whole && v >= 0: o = o with { MaxSubproblems = (long)v }; break;
                case "memory" when whole && v >= 1: o = o with { MemoryMegabytes = (long)v }; break;
                default:
                    return Bad($"option '{kv}': use time=S (> 0, seconds per image), steps=N, input-steps=N and root-steps=N (α steps, 0–1000), beta=0|1, warm=0|1, batch=N, candidates=N, subproblems=N (a budget; 0: none), memory=MB.");
            }
        }
        return FinSucc<Domain>(new BabDomain(text, o, seconds));
    }

    /// <summary>Splits a comma-separated domain list where options may themselves contain commas: a piece without ':'
    /// that looks like key=value continues the previous domain ("alpha-crown:steps=5,lr=0.1,box" → two domains).</summary>
    public static IReadOnlyList<string> SplitList(string text)
    {
        var result = new List<string>();
        foreach (var piece in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (result.Count > 0 && result[^1].Contains(':') && !piece.Contains(':') && piece.Contains('='))
                result[^1] += "," + piece;
            else
                result.Add(piece);
        }
        return result;
    }

    static Fin<Domain> LooseBox(string text, Dictionary<string, double> o)
    {
        if (o.TryGetValue("widen", out var w) && !o.ContainsKey("round") && !o.ContainsKey("per-unit") && w >= 0)
            return FinSucc<Domain>(new IbpDomain(text, new BoxOptions(new Widen(w))));
        if (o.TryGetValue("round", out var r) && o.TryGetValue("per-unit", out var pu) && !o.ContainsKey("widen") && r >= 0 && pu > 0)
            return FinSucc<Domain>(new IbpDomain(text, new BoxOptions(new Round(r, pu))));
        return FinFail<Domain>(Error.New(ErrorCodes.InvalidConfig,
            $"Domain '{text}': use box:widen=ω (ω ≥ 0) or box:round=ω,per-unit=W (ω ≥ 0, W > 0)."));
    }
}

/// <summary>The Box (IBP) domain, possibly loosened (Table 4).</summary>
public sealed record IbpDomain(string Name, BoxOptions Options) : Domain(Name);

/// <summary>The zonotope (DeepZ) family; <paramref name="IbpBounds"/> = zono-ibp (case split on IBP bounds).</summary>
public sealed record ZonotopeDomain(string Name, ZonotopeOptions Options, bool IbpBounds) : Domain(Name)
{
    /// <inheritdoc/>
    public override string? Unsoundness => Options.Relu == ZonoRelu.DiagCDefect
        ? $"Domain '{Name}' is the reference's unsound zdiag-c transformer (relaxations.md §3.4): it computes bounds for reproduction only and cannot certify. Use 'zdiag-c'."
        : null;
}

/// <summary>The back-substitution family: CROWN/DeepPoly (intermediate bounds by back-substitution) or CROWN-IBP
/// (<paramref name="IbpIntermediate"/>: intermediate bounds from IBP, only the specification back-substituted).</summary>
public sealed record DeepPolyDomain(string Name, CrownOptions Options, bool IbpIntermediate) : Domain(Name)
{
    /// <inheritdoc/>
    public override string? Unsoundness => Options.Unrounded
        ? $"Domain '{Name}' keeps the reference's float32 bounds as the \"-C\" lines' constants without outward rounding: its bounds can exceed reachable values by rounding errors, so it reproduces the reference's numbers but cannot certify. Use '{Name.Replace("-unrounded", "", StringComparison.Ordinal)}'."
        : null;
}

/// <summary>The hybrid zonotope (hBox) family.</summary>
public sealed record HybridDomain(string Name, ZonotopeOptions Options) : Domain(Name);

/// <summary><c>iclr2021</c> (relaxations.md §3.9): CROWN-IBP with lower slopes from one signed-gradient step from U[0, 1]
/// (drawn from a generator seeded with <paramref name="Seed"/>).</summary>
public sealed record Iclr2021Domain(string Name, ulong Seed) : Domain(Name);

/// <summary><c>alpha-crown</c>: CROWN with lower slopes optimised per spec row (relaxations.md §3.11's differentiable Triangle).</summary>
public sealed record AlphaCrownDomain(string Name, AlphaCrownOptions Options) : Domain(Name);
/// <summary><c>bab</c>: complete verification by branch and bound (<see cref="BabVerifier"/>), evaluation only, logit
/// differences only, at most <paramref name="Seconds"/> per image (<c>bab:time=60</c>).</summary>
public sealed record BabDomain(string Name, BabOptions Options, double Seconds) : Domain(Name)
{
    /// <summary>The time limit per image when none is given.</summary>
    public const double DefaultSeconds = 60;
}

/// <summary>The exact layer-wise Triangle LP (relaxations.md §3.11): evaluation only, no gradients, Normalize/Flatten/Dense/ReLU
/// networks only.</summary>
public sealed record TriangleLpDomain(string Name, TriangleLpOptions Options) : Domain(Name);
