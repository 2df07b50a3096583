using System.Diagnostics;
using System.Globalization;
using Certify.Functional.Pipeline;

namespace Certify.Cli;

/// <summary>A one-line progress bar on stderr: redrawn in place on a terminal, a plain line every few seconds
/// when stderr is redirected (logs, CI).</summary>
public sealed class ConsoleProgress(TextWriter err, bool quiet) : IProgress<TrainProgress>
{
    readonly bool interactive = !Console.IsErrorRedirected && ReferenceEquals(err, Console.Error);
    readonly Stopwatch sinceLast = Stopwatch.StartNew();

    /// <inheritdoc/>
    public void Report(TrainProgress p)
    {
        if (quiet) return;
        bool endOfEpoch = p.Phase != "train" || p.Batch == p.Batches;
        if (!endOfEpoch && sinceLast.ElapsedMilliseconds < (interactive ? 100 : 5000)) return;
        sinceLast.Restart();
        const int width = 24;
        int filled = p.Batches == 0 ? 0 : width * p.Batch / p.Batches;
        var inv = CultureInfo.InvariantCulture;
        string line = string.Create(inv,
            $"epoch {p.Epoch}/{p.Epochs} [{new string('#', filled)}{new string('.', width - filled)}] {p.Batch}/{p.Batches} " +
            $"loss {p.Loss:F4} acc {100 * p.Accuracy:F1}% {p.ImagesPerSecond:F0} img/s ETA {p.Eta:hh\\:mm\\:ss} {(p.Phase == "train" ? "" : p.Phase)}");
        if (interactive) err.Write("\r" + line.PadRight(Console.BufferWidth > 0 ? Math.Min(Console.BufferWidth - 1, 120) : 120));
        else err.WriteLine(line);
        if (interactive && p.Phase == "done") err.WriteLine();
    }
}
