using Certify.Functional.Runtime;
using System.Globalization;
using Certify.Functional.Networks;
using Certify.Functional.Analysis;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using static TorchSharp.torch;

namespace Certify.Functional.Reports.Paradox;

/// <summary>Ŝ (<see cref="SensitivityAtDelta.Sensitivity"/>) of every relaxation on every network of a panel, on one batch,
/// with the same directions per network: [network][relaxation].</summary>
/// <param name="Relaxations">Relaxation keys (columns), e.g. "box", "crown".</param>
/// <param name="Networks">Network labels (rows).</param>
/// <param name="Values">Ŝ per network and relaxation (NaN = not measured).</param>
public sealed record SensitivityPanel(IReadOnlyList<string> Relaxations, IReadOnlyList<string> Networks, double[][] Values)
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Measures every (network, domain) pair at one δ with <paramref name="directions"/> seeded directions.</summary>
    public static SensitivityPanel Measure(IReadOnlyList<(string Label, NetworkModule Net)> networks, IReadOnlyList<(string Key, Domain Domain)> relaxations,
        Tensor x, Tensor y, double eps, int directions, double delta, ulong seed, Action<string>? progress = null)
    {
        var values = new double[networks.Count][];
        using var guard = Certify.Functional.Runtime.GcGuard.Open();         // collections only between measurements
        for (int n = 0; n < networks.Count; n++)
        {
            values[n] = new double[relaxations.Count];
            for (int r = 0; r < relaxations.Count; r++)
            {
                guard.SafePoint();
                progress?.Invoke($"{networks[n].Label}: {relaxations[r].Key}");
                values[n][r] = MeasureOne(networks[n].Net, x, y, relaxations[r].Domain, eps, directions, delta, seed);
            }
        }
        return new SensitivityPanel(relaxations.Select(r => r.Key).ToList(), networks.Select(n => n.Label).ToList(), values);
    }

    /// <summary>Ŝ of one (network, domain) pair, as <see cref="Measure"/> measures each (a pure function of its arguments:
    /// the directions are seeded).</summary>
    public static double MeasureOne(NetworkModule net, Tensor x, Tensor y, Domain domain, double eps, int directions, double delta, ulong seed)
    {
        using var scope = NewDisposeScope();
        return Sensitivity.Measure(net, x, y, domain, eps, new SensitivityOptions(directions, [delta], seed)).PerDelta[0].Sensitivity;
    }

    /// <summary>Ŝ of <paramref name="key"/> on network <paramref name="n"/>, NaN when absent.</summary>
    public double At(int n, string key) => Relaxations.ToList().IndexOf(key) is var c and >= 0 ? Values[n][c] : double.NaN;

    /// <summary>Median over the networks of Ŝ of <paramref name="key"/>.</summary>
    public double Median(string key)
    {
        var v = Enumerable.Range(0, Networks.Count).Select(n => At(n, key)).Where(double.IsFinite).OrderBy(e => e).ToList();
        return v.Count == 0 ? double.NaN : v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
    }

    /// <summary>
    /// The verdict for one relaxation against the paper's label, network by network (no threshold): a relaxation the paper
    /// calls sensitive agrees on a network when its Ŝ exceeds both Box's and hBox's there; one the paper calls not sensitive
    /// agrees when its Ŝ is below every sensitive relaxation's there. Agrees overall when it does on more than half the networks.
    /// </summary>
    public (bool? Agrees, int On, int Of) Verdict(string key)
    {
        bool sensitive = PaperTable1.Sensitive.Contains(key);
        if (!sensitive && !PaperTable1.Insensitive.Contains(key)) return (null, 0, 0);
        int on = 0, of = 0;
        for (int n = 0; n < Networks.Count; n++)
        {
            double own = At(n, key);
            var others = (sensitive ? PaperTable1.Insensitive : PaperTable1.Sensitive).Select(k => At(n, k)).Where(double.IsFinite).ToList();
            if (!double.IsFinite(own) || others.Count == 0) continue;
            of++;
            if (sensitive ? others.All(o => own > o) : others.All(o => own < o)) on++;
        }
        return (of == 0 ? null : 2 * on > of, on, of);
    }

    /// <summary>A Markdown table: one row per network, one column per relaxation, then the medians and the verdicts.</summary>
    public string Markdown(IReadOnlyDictionary<string, string> labels)
    {
        string L(string k) => labels.TryGetValue(k, out var l) ? l : k;
        var t = new System.Text.StringBuilder();
        static string Row(string first, IEnumerable<string> rest) => Certify.Functional.Runtime.Markdown.Row([first, .. rest]);
        t.AppendLine(Row("network", Relaxations.Select(L)));
        t.AppendLine(Certify.Functional.Runtime.Markdown.Separator("l" + new string('r', Relaxations.Count)));
        for (int n = 0; n < Networks.Count; n++)
            t.AppendLine(Row(Networks[n], Relaxations.Select((k, c) => Format(Values[n][c]))));
        t.AppendLine(Row("**median**", Relaxations.Select(k => $"**{Format(Median(k))}**")));
        t.AppendLine(Row("paper", Relaxations.Select(k => PaperTable1.Sensitive.Contains(k) ? "✗ sensitive" : PaperTable1.Insensitive.Contains(k) ? "✓ not sensitive" : "–")));
        t.AppendLine(Row("verdict", Relaxations.Select(k => Verdict(k) switch
        {
            (null, _, _) => "–",
            var (a, on, of) => $"{(a == true ? "agrees" : "does not agree")} ({on}/{of})",
        })));
        return t.ToString();
    }

    static string Format(double v) => double.IsNaN(v) ? "–" : v.ToString(Math.Abs(v) >= 1e4 || (Math.Abs(v) < 1e-2 && v != 0) ? "0.00e+0" : "G4", Inv);
}
