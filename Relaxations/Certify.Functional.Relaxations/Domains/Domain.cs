using System.Globalization;
using Certify.Functional.Bounds;
using Certify.Functional.Errors;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Functional.Relaxations.Domains;

/// <summary>
/// A verification/training domain: a family (Box, zonotope, hybrid zonotope) and its variant options, by the
/// reference's names (SPEC §3): <c>box</c>, <c>hbox</c>, <c>hzono</c>, <c>hdiag</c>, <c>hdiag-c</c>, <c>hswitch</c>,
/// <c>zono</c>, <c>zbox</c>, <c>zdiag</c>, <c>zdiag-c</c>, <c>zswitch</c>, <c>zono-ibp</c>, with options
/// <c>zono:gamma=1</c> (soft slope), <c>box:widen=0.1</c>, <c>box:round=0.5,per-unit=10</c>.
/// <c>zdiag-c-unsound</c> is the reference's defective transformer, available for reproduction only: it never certifies.
/// </summary>
public abstract record Domain(string Name)
{
    /// <summary>False only for the defect-compatible <c>zdiag-c-unsound</c>.</summary>
    public virtual bool IsSound => true;

    /// <summary>IBP / Box.</summary>
    public static IbpDomain Box { get; } = new("box", BoxOptions.Plain);
    /// <summary>hBox / symbolic intervals.</summary>
    public static HybridDomain HBox { get; } = new("hbox", new(ZonoRelu.Box));
    /// <summary>DeepZ.</summary>
    public static ZonotopeDomain DeepZ { get; } = new("zono", new(ZonoRelu.DeepZ), IbpBounds: false);

    static readonly Dictionary<string, Domain> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["box"] = Box,
        ["hbox"] = HBox, ["hzono"] = new HybridDomain("hzono", new(ZonoRelu.DeepZ)), ["hdiag"] = new HybridDomain("hdiag", new(ZonoRelu.Diag)),
        ["hdiag-c"] = new HybridDomain("hdiag-c", new(ZonoRelu.DiagC)), ["hswitch"] = new HybridDomain("hswitch", new(ZonoRelu.Switch)),
        ["zono"] = DeepZ, ["zbox"] = new ZonotopeDomain("zbox", new(ZonoRelu.Box), false), ["zdiag"] = new ZonotopeDomain("zdiag", new(ZonoRelu.Diag), false),
        ["zdiag-c"] = new ZonotopeDomain("zdiag-c", new(ZonoRelu.DiagC), false), ["zswitch"] = new ZonotopeDomain("zswitch", new(ZonoRelu.Switch), false),
        ["zono-ibp"] = new ZonotopeDomain("zono-ibp", new(ZonoRelu.DeepZ), IbpBounds: true),
        ["zdiag-c-unsound"] = new ZonotopeDomain("zdiag-c-unsound", new(ZonoRelu.DiagCDefect), false),
    };

    /// <summary>Every base name.</summary>
    public static IEnumerable<string> Names => Known.Keys;

    /// <summary>Parses <c>name</c> or <c>name:key=value,…</c> (keys: gamma for zono/hzono; widen, round, per-unit for box).</summary>
    public static Fin<Domain> Parse(string text)
    {
        var parts = text.Trim().Split(':', 2);
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
            HybridDomain { Options.Relu: ZonoRelu.DeepZ } h when options.Keys.All(k => k == "gamma") =>
                FinSucc<Domain>(h with { Name = text, Options = new ZonotopeOptions(ZonoRelu.Soft, options["gamma"]) }),
            _ => FinFail<Domain>(Error.New(ErrorCodes.InvalidConfig,
                $"Domain '{text}': unsupported options. Use zono:gamma=γ, hzono:gamma=γ, box:widen=ω or box:round=ω,per-unit=W.")),
        };
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
    public override bool IsSound => Options.Relu != ZonoRelu.DiagCDefect;
}

/// <summary>The hybrid zonotope (hBox) family.</summary>
public sealed record HybridDomain(string Name, ZonotopeOptions Options) : Domain(Name);
