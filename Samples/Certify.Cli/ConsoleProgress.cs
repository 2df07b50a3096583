using System.Diagnostics;
using System.Globalization;
using Certify.Functional.Training;

namespace Certify.Cli;

/// <summary>Progress on stderr: on a terminal a bar redrawn in place (at most 10×/s) and one kept line per epoch;
/// when stderr is redirected (logs, CI) one line per epoch plus a line every 10 s inside long epochs.</summary>
public sealed class ConsoleProgress(TextWriter err, bool quiet, string? label = null) : IProgress<TrainProgress>
{
    readonly bool interactive = !Console.IsErrorRedirected && ReferenceEquals(err, Console.Error);
    readonly Stopwatch sinceLast = Stopwatch.StartNew();

    /// <inheritdoc/>
    public void Report(TrainProgress p)
    {
        if (quiet) return;
        var inv = CultureInfo.InvariantCulture;
        if (p.Phase is TrainPhase.Epoch)
        {
            string done = Prefix + string.Create(inv,
                $"epoch {p.Epoch}/{p.Epochs}: {Schedule(p)}loss {p.Loss:F4}, train acc {100 * p.Accuracy:F2} %{Certified(p, "train cert")}, test acc {100 * p.TestAccuracy:F2} %, {p.ImagesPerSecond:F0} img/s, ETA {p.Eta:hh\\:mm\\:ss}");
            err.WriteLine(interactive ? "\r" + done.PadRight(Width) : done);
            sinceLast.Restart();
            return;
        }
        if (p.Phase is not TrainPhase.Train || sinceLast.ElapsedMilliseconds < (interactive ? 100 : 10_000)) return;
        sinceLast.Restart();
        const int bar = 24;
        int filled = p.Batches == 0 ? 0 : bar * p.Batch / p.Batches;
        string line = Prefix + string.Create(inv,
            $"epoch {p.Epoch}/{p.Epochs} [{new string('#', filled)}{new string('.', bar - filled)}] {p.Batch}/{p.Batches} " +
            $"{Schedule(p)}loss {p.Loss:F4} acc {100 * p.Accuracy:F1}%{Certified(p, "cert")} {p.ImagesPerSecond:F0} img/s ETA {p.Eta:hh\\:mm\\:ss}");
        if (interactive) err.Write("\r" + line.PadRight(Width));
        else err.WriteLine(line);
    }

    string Prefix => label is null ? "" : $"[{label}] ";

    /// <summary>Progress of the final evaluation: (stage, images done, images).</summary>
    public void Evaluation(string stage, int done, int total)
    {
        if (quiet || (done < total && sinceLast.ElapsedMilliseconds < (interactive ? 100 : 10_000))) return;
        sinceLast.Restart();
        string line = $"{Prefix}evaluating: {stage} {done}/{total}";
        if (interactive) err.Write("\r" + line.PadRight(Width) + (done == total ? "\n" : ""));
        else err.WriteLine(line);
    }

    static string Schedule(TrainProgress p) => p.Schedule is not { } s ? "" :
        string.Create(CultureInfo.InvariantCulture, $"ε {s.Eps:G3} κ {s.Kappa:G3} β {s.Beta:G3} lr {s.LearningRate:G3} ") +
        (s.Sigma is { } sigma ? string.Create(CultureInfo.InvariantCulture, $"σ {sigma:G3} ") : "");

    static string Certified(TrainProgress p, string label) => p.CertifiedAccuracy is not { } c ? "" :
        string.Create(CultureInfo.InvariantCulture, $" {label} {100 * c:F1}%");

    static int Width => Console.IsErrorRedirected || Console.BufferWidth <= 0 ? 100 : Math.Min(Console.BufferWidth - 1, 120);
}
