namespace Certify.Functional.Reports;

/// <summary>One named curve or point set.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">Abscissae.</param>
/// <param name="Y">Ordinates (same length as <paramref name="X"/>; NaN values are skipped).</param>
public sealed record Series(string Name, double[] X, double[] Y);

/// <summary>Headless PNG plots (ScottPlot on Skia): pure functions from data to a file.</summary>
public static class Plots
{
    /// <summary>Line chart of several series on one set of axes.</summary>
    public static string Lines(string path, string title, string xLabel, string yLabel, IEnumerable<Series> series, int width = 1040, int height = 560)
    {
        var plot = Frame(title, xLabel, yLabel);
        foreach (var s in series)
        {
            var (x, y) = Finite(s);
            if (x.Length == 0) continue;
            var line = plot.Add.Scatter(x, y);
            line.LegendText = s.Name;
            line.MarkerSize = x.Length > 60 ? 0 : 4;
            line.LineWidth = 1.5f;
        }
        return Save(plot, path, width, height);
    }

    /// <summary>Labelled points (e.g. tightness vs certified accuracy, one point per relaxation).</summary>
    public static string Points(string path, string title, string xLabel, string yLabel, IEnumerable<(string Label, double X, double Y)> points,
        int width = 960, int height = 560)
    {
        var plot = Frame(title, xLabel, yLabel);
        var shown = points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        double middle = shown.Count == 0 ? 0 : (shown.Min(p => p.X) + shown.Max(p => p.X)) / 2;
        foreach (var (label, x, y) in shown)
        {
            var marker = plot.Add.Marker(x, y);
            marker.MarkerSize = 10;
            marker.LegendText = label;
            // The label on the side of the point that faces the middle, so that it stays inside the data area.
            bool right = shown.Count > 1 && x > middle;
            var text = plot.Add.Text(label, x, y);
            text.LabelFontSize = 12;
            text.LabelAlignment = right ? ScottPlot.Alignment.MiddleRight : ScottPlot.Alignment.MiddleLeft;
            text.OffsetX = right ? -8 : 8;
        }
        return Save(plot, path, width, height);
    }

    static ScottPlot.Plot Frame(string title, string xLabel, string yLabel)
    {
        var plot = new ScottPlot.Plot();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        // The legend in a panel right of the data area: it can never cover a point or a curve (inside the data area it
        // hid the point in its corner, issue 15); the panel takes its width from the figure, so the widths above allow for it.
        plot.ShowLegend(ScottPlot.Edge.Right);
        return plot;
    }

    static (double[] X, double[] Y) Finite(Series s)
    {
        var keep = Enumerable.Range(0, Math.Min(s.X.Length, s.Y.Length)).Where(i => double.IsFinite(s.X[i]) && double.IsFinite(s.Y[i])).ToArray();
        return (keep.Select(i => s.X[i]).ToArray(), keep.Select(i => s.Y[i]).ToArray());
    }

    static string Save(ScottPlot.Plot plot, string path, int width, int height)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp.png");
        plot.SavePng(tmp, width, height);
        File.Move(tmp, full, overwrite: true);
        return full;
    }
}
