using System.Diagnostics;
using System.Globalization;

namespace Certify.Cli.Commands;

/// <summary>Progress of <c>certify verify</c> on stderr once a domain is slow (running &gt; 2 s): a line when a batch
/// ends (at most one a second) and, while a long batch runs (DeepPoly or the LP on a large network), a line at least
/// every <see cref="Heartbeat"/> so the run is never silent: images done, rate, ETA and how long the current batch has
/// been running. Nothing with --quiet. Thread-safe (the heartbeat comes from a timer thread).</summary>
public sealed class VerifyProgress : IDisposable
{
    /// <summary>Longest silence while a domain runs.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    readonly TextWriter err;
    readonly bool quiet;
    readonly Timer? timer;
    readonly object gate = new();
    readonly Func<TimeSpan> now;
    TimeSpan lastLine, domainStart, batchStart;
    string domain = "";
    int n, batchSize, first, done;
    bool running;

    /// <summary>Progress lines on <paramref name="err"/> (a synchronized writer), none when <paramref name="quiet"/>; a timer
    /// checks for the heartbeat every second.</summary>
    public VerifyProgress(TextWriter err, bool quiet) : this(err, quiet, WallClock())
    {
        timer = new Timer(_ => Beat(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Progress on the clock <paramref name="now"/>, without a timer: the caller calls <see cref="Beat"/> (tests
    /// drive the heartbeat with a clock of their own).</summary>
    public VerifyProgress(TextWriter err, bool quiet, Func<TimeSpan> now)
    {
        this.err = err;
        this.quiet = quiet;
        this.now = now;
    }

    TimeSpan Since(TimeSpan start) => now() - start;

    static Func<TimeSpan> WallClock()
    {
        var watch = Stopwatch.StartNew();
        return () => watch.Elapsed;
    }

    /// <summary>A domain starts (or continues) with <paramref name="doneBefore"/> of <paramref name="images"/> images done.</summary>
    public void Start(string name, int doneBefore, int images, int batch)
    {
        lock (gate)
        {
            (domain, first, done, n, batchSize, running) = (name, doneBefore, doneBefore, images, batch, doneBefore < images);
            domainStart = batchStart = lastLine = now();
        }
    }

    /// <summary>A batch ended; <paramref name="imagesDone"/> images of the domain are done.</summary>
    public void BatchDone(int imagesDone)
    {
        lock (gate)
        {
            done = imagesDone;
            batchStart = now();
            if (done >= n) running = false;
            if (quiet || done >= n || Since(domainStart).TotalSeconds < 2 || Since(lastLine).TotalSeconds < 1) return;
            Write(Status(running: false));
        }
    }

    /// <summary>The domain ended (finished or stopped).</summary>
    public void Stop() { lock (gate) running = false; }

    /// <summary>A line of the domain's own progress (the LP's); it counts as a sign of life.</summary>
    public void Line(string text) { lock (gate) { if (!quiet) Write(text); } }

    /// <summary>Writes a status line when a domain has run for 2 s or more and nothing was written for
    /// <see cref="Heartbeat"/> (the timer calls it every second).</summary>
    public void Beat()
    {
        lock (gate)
        {
            if (quiet || !running || Since(domainStart).TotalSeconds < 2 || Since(lastLine) < Heartbeat) return;
            Write(Status(running: true));
        }
    }

    string Status(bool running)
    {
        var inv = CultureInfo.InvariantCulture;
        double seconds = Since(domainStart).TotalSeconds;
        double rate = (done - first) / Math.Max(seconds, 1e-9);
        string line = done > first
            ? string.Create(inv, $"{domain}: {done}/{n} images, {rate:F2} img/s, ETA {Clock((n - done) / Math.Max(rate, 1e-9))}")
            : string.Create(inv, $"{domain}: {done}/{n} images, ETA after the first batch");
        if (!running) return line;
        int batch = done / Math.Max(batchSize, 1) + 1, batches = (n + batchSize - 1) / Math.Max(batchSize, 1);
        return line + string.Create(inv, $" (batch {batch}/{batches} running for {Since(batchStart).TotalSeconds:F0} s)");
    }

    // h:mm:ss with hours beyond 24 (an LP run can take days).
    static string Clock(double seconds)
    {
        long s = (long)Math.Min(Math.Ceiling(seconds), 1e12);
        return string.Create(CultureInfo.InvariantCulture, $"{s / 3600:D2}:{s / 60 % 60:D2}:{s % 60:D2}");
    }

    void Write(string line)
    {
        err.WriteLine(line);
        lastLine = now();
    }

    /// <summary>Stops the heartbeat.</summary>
    public void Dispose()
    {
        if (timer is null) return;
        using var stopped = new ManualResetEvent(false);
        if (timer.Dispose(stopped)) stopped.WaitOne();
    }
}
