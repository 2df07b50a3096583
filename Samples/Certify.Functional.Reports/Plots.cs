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
    public static string Lines(string path, string title, string xLabel, string yLabel, IEnumerable<Series> series, int width = 900, int height = 560)
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
        int width = 800, int height = 560)
    {
        var plot = Frame(title, xLabel, yLabel);
        foreach (var (label, x, y) in points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)))
        {
            var marker = plot.Add.Marker(x, y);
            marker.MarkerSize = 10;
            marker.LegendText = label;
            var text = plot.Add.Text(label, x, y);
            text.LabelFontSize = 12;
            text.OffsetX = 6;
            text.OffsetY = -6;
        }
        return Save(plot, path, width, height);
    }

    static ScottPlot.Plot Frame(string title, string xLabel, string yLabel)
    {
        var plot = new ScottPlot.Plot();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
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
