using System.Text.Json;
using Certify.Functional.Reports;
using Certify.Functional.Reports.Paradox;
using SkiaSharp;

namespace Certify.Functional.Properties.Cli;

/// <summary>Issue 15, "the report as rendered": every Markdown table keeps its columns whatever its cells say (the
/// switching surface <c>|l|=u</c> in a cell shifted three rows by two columns on GitHub), the "Tighter is not better"
/// plot's legend hides no point (inside the data area it covered the point in its corner), and <c>info --json</c> prints
/// one JSON document (it printed one per network, back to back). Only public entry points (the study, the plot
/// function, the CLI), so that the file also runs against the code before the fix.</summary>
public sealed class ReportRenderingTests : TorchTest
{
    [Fact]
    public void Every_markdown_table_of_a_rendered_paradox_report_has_the_same_number_of_columns_in_every_row()
    {
        var dir = TempDir();
        try
        {
            // CROWN's theory cell says its bounds jump at |l|=u; Box's says continuous.
            var relaxations = ParadoxPlan.Table1.Where(r => r.Key is "box" or "crown").ToList();
            var plan = new ParadoxPlan("FC-SMALL", 0.1, "quick", 1, 0.5, 0.5, 200, 20, 0, 5, 5, 1, dir, relaxations)
                { SlicePoints = 21, SensitivityDirections = 2, LpWidthImages = 0 };
            var run = ParadoxStudy.Run(plan, null, null, CancellationToken.None);
            Assert.True(run.IsSucc, run.ToString());
            var files = Directory.GetFiles(dir, "*.md", SearchOption.AllDirectories);
            Assert.Contains(files, f => Path.GetFileName(f) == "report.md");
            Assert.Contains(files, f => Path.GetFileName(f) == "summary.md");     // each training run's own
            var rows = new List<string>();
            foreach (var file in files)
                foreach (var table in Tables(File.ReadAllLines(file)))
                {
                    rows.AddRange(table);
                    Assert.Matches(@"^\|(\s*:?-{3,}:?\s*\|)+$", table[1]);
                    int header = Columns(table[0]);
                    for (int i = 1; i < table.Count; i++)
                        Assert.True(Columns(table[i]) == header,
                            $"{Path.GetRelativePath(dir, file)}: row {i + 1} has {Columns(table[i])} columns, the header {header}:\n{table[0]}\n{table[i]}");
                }
            // The cell that broke the table is there (escaped), so the check above is not vacuous.
            Assert.Contains(rows, r => r.Contains("l|=u") || r.Contains(@"l\|=u"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void The_legend_of_the_tightness_plot_covers_no_point()
    {
        var dir = TempDir();
        try
        {
            // A point in every corner of the data area and one in the middle: a legend inside the data area, in any corner,
            // would lie over one of them.
            var points = new (string, double, double)[] { ("Box", 0, 0), ("hBox", 3, 0), ("CROWN-IBP (R)", 0, 12), ("DeepZ", 3, 12), ("CROWN", 1.5, 6) };
            var file = Plots.Points(Path.Combine(dir, "tightness-vs-certified.png"), "Tighter is not better: tightness vs certified accuracy",
                "tightness score (larger = tighter)", "certified accuracy (%)", points);
            using var image = SKBitmap.Decode(file);
            Assert.NotNull(image);
            // Every point is a filled disc in its own palette colour, and its legend entry shows the same disc: a point that
            // is visible leaves two blobs of its colour, a point under the legend one.
            var blobs = ColourBlobs(image);
            Assert.True(blobs.Count == points.Length, $"expected {points.Length} marker colours, found {blobs.Count}: {string.Join(", ", blobs.Keys)}");
            foreach (var (colour, sizes) in blobs)
                Assert.True(sizes.Count == 2, $"colour {colour}: {sizes.Count} blob(s) of {string.Join(", ", sizes)} pixels; a point and its legend entry should be two");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("info", "--json")]
    [InlineData("info", "--json", "--net", "FC-SMALL")]
    public void Info_json_is_exactly_one_json_document(params string[] args)
    {
        var (code, stdout, stderr) = CliTests.Run(args);
        Assert.True(code == 0, stderr);
        // The first JSON value on stdout, then nothing but white space.
        var bytes = System.Text.Encoding.UTF8.GetBytes(stdout);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowMultipleValues = true });
        JsonDocument.ParseValue(ref reader).Dispose();
        var rest = System.Text.Encoding.UTF8.GetString(bytes, (int)reader.BytesConsumed, bytes.Length - (int)reader.BytesConsumed);
        Assert.True(rest.Trim().Length == 0, $"more follows the first JSON document on stdout: {rest.Trim()[..Math.Min(120, rest.Trim().Length)]}…");
        using var whole = JsonDocument.Parse(stdout);
        var root = whole.RootElement;
        var networks = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : [root];
        Assert.True(networks.Count >= (args.Length == 2 ? 2 : 1));
        Assert.All(networks, n => Assert.True(n.TryGetProperty("layers", out _), n.ToString()));
        if (args.Length > 2) Assert.Equal("FC-SMALL", root.GetProperty("name").GetString());
    }

    /// <summary>Runs of consecutive lines that start with a pipe (Markdown tables).</summary>
    static List<List<string>> Tables(string[] lines)
    {
        var tables = new List<List<string>>();
        List<string>? current = null;
        foreach (var line in lines)
        {
            if (line.StartsWith('|')) (current ??= []).Add(line);
            else if (current is not null) { tables.Add(current); current = null; }
        }
        if (current is not null) tables.Add(current);
        return tables;
    }

    /// <summary>Columns of a table row as GitHub splits it: the unescaped pipes, less the one that closes the row.</summary>
    static int Columns(string row)
    {
        int pipes = 0;
        for (int i = 0; i < row.Length; i++)
            if (row[i] == '|' && (i == 0 || row[i - 1] != '\\')) pipes++;
        return pipes - 1;
    }

    /// <summary>The strongly coloured pixels grouped by exact colour, each colour's 8-connected blobs of ≥ 15 pixels (sizes).</summary>
    static Dictionary<string, List<int>> ColourBlobs(SKBitmap image)
    {
        int w = image.Width, h = image.Height;
        var colour = new uint[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var c = image.GetPixel(x, y);
                int max = Math.Max(c.Red, Math.Max(c.Green, c.Blue)), min = Math.Min(c.Red, Math.Min(c.Green, c.Blue));
                colour[y * w + x] = max - min >= 60 && c.Alpha == 255 ? (uint)(c.Red << 16 | c.Green << 8 | c.Blue) : 0;
            }
        var seen = new bool[w * h];
        var blobs = new Dictionary<string, List<int>>();
        var stack = new Stack<int>();
        for (int start = 0; start < w * h; start++)
        {
            if (colour[start] == 0 || seen[start]) continue;
            uint c = colour[start];
            int size = 0;
            stack.Push(start);
            seen[start] = true;
            while (stack.Count > 0)
            {
                int p = stack.Pop();
                size++;
                int px = p % w, py = p / w;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int qx = px + dx, qy = py + dy;
                        if (qx < 0 || qy < 0 || qx >= w || qy >= h) continue;
                        int q = qy * w + qx;
                        if (!seen[q] && colour[q] == c) { seen[q] = true; stack.Push(q); }
                    }
            }
            if (size < 15) continue;
            var key = c.ToString("x6");
            (blobs.TryGetValue(key, out var list) ? list : blobs[key] = []).Add(size);
        }
        return blobs;
    }
}
