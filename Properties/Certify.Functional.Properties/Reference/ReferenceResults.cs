using System.Collections.Concurrent;
using System.Globalization;

namespace Certify.Functional.Properties.Reference;

/// <summary>The reference implementation's results (Samples/Reference/results, copied next to the tests):
/// per-image columns (<c>pred__&lt;model&gt;</c>, <c>&lt;model&gt;__&lt;verifier&gt;</c>; empty = not evaluated) and
/// the lower bounds of the first 100 images.</summary>
public static class ReferenceResults
{
    static readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, int?[]>> PerImageCache = new();
    static readonly ConcurrentDictionary<string, IReadOnlyDictionary<(string Model, string Domain), float[][]>> BoundsCache = new();

    static string Dir => Path.Combine(AppContext.BaseDirectory, "Reference", "results");

    static string EpsText(double eps) => eps.ToString(CultureInfo.InvariantCulture);

    /// <summary>Columns of per_image_{dataset}_eps{ε}.csv by header name, one entry per image (the reader of
    /// <c>certify paradox --released</c>; the files are copied next to both binaries).</summary>
    public static IReadOnlyDictionary<string, int?[]> PerImage(string dataset, double eps) =>
        PerImageCache.GetOrAdd($"{dataset}@{EpsText(eps)}", _ => Certify.Functional.Reports.Paradox.ReleasedReport.ReferenceColumns(dataset, eps)
            ?? throw new FileNotFoundException($"per_image_{dataset}_eps{EpsText(eps)}.csv is not in {Dir}."));

    /// <summary>lb_{dataset}_eps{ε}.csv: for (model, verifier), the lower bounds [image][j] of the first 100 images.</summary>
    public static IReadOnlyDictionary<(string Model, string Domain), float[][]> LowerBounds(string dataset, double eps) =>
        BoundsCache.GetOrAdd(Path.Combine(Dir, "lb100", $"lb_{dataset}_eps{EpsText(eps)}.csv"), path =>
        {
            var rows = new Dictionary<(string, string), List<(int Img, float[] Lb)>>();
            foreach (var line in File.ReadLines(path).Skip(1).Where(l => l.Length > 0))
            {
                var cells = line.Split(',');
                var key = (cells[2], cells[3]);
                if (!rows.TryGetValue(key, out var list)) rows[key] = list = [];
                list.Add((int.Parse(cells[0], CultureInfo.InvariantCulture),
                          cells[4..].Select(v => float.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray()));
            }
            return rows.ToDictionary(kv => kv.Key, kv =>
            {
                var ordered = kv.Value.OrderBy(r => r.Img).ToArray();
                for (int i = 0; i < ordered.Length; i++)
                    if (ordered[i].Img != i) throw new InvalidDataException($"{path}: {kv.Key} lacks image {i}.");
                return ordered.Select(r => r.Lb).ToArray();
            });
        });
}
