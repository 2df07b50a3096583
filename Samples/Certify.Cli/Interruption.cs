using System.Runtime.InteropServices;

namespace Certify.Cli;

/// <summary>Ctrl-C (SIGINT) and SIGTERM (timeout, job schedulers, <c>docker stop</c>) ask a long command to stop at
/// its next safe point: the token is cancelled once, the command finishes its step, saves what it has and exits with
/// <see cref="ExitCode"/> (130 for SIGINT, 143 for SIGTERM, as shells report a process killed by the signal). A second
/// signal terminates at once.</summary>
public sealed class Interruption : IDisposable
{
    readonly CancellationTokenSource cancel = new();
    readonly PosixSignalRegistration? term;
    readonly ConsoleCancelEventHandler onCancel;

    /// <summary>Starts listening; <paramref name="message"/> is printed (on <paramref name="err"/>) at the first signal.</summary>
    public Interruption(TextWriter err, string message)
    {
        void Stop(int code, Action keepRunning)
        {
            lock (cancel)
            {
                if (cancel.IsCancellationRequested) return;            // the second signal: default action (terminate)
                keepRunning();
                ExitCode = code;
                cancel.Cancel();
            }
            err.WriteLine($"\n{(code == TerminatedCode ? "SIGTERM" : "interrupt")}: {message}");
        }
        onCancel = (_, e) => Stop(InterruptedCode, () => e.Cancel = true);
        Console.CancelKeyPress += onCancel;
        try { term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => Stop(TerminatedCode, () => ctx.Cancel = true)); }
        catch (PlatformNotSupportedException) { term = null; }
    }

    /// <summary>Exit code after SIGINT.</summary>
    public const int InterruptedCode = 130;
    /// <summary>Exit code after SIGTERM.</summary>
    public const int TerminatedCode = 143;

    /// <summary>Cancelled at the first signal.</summary>
    public CancellationToken Token => cancel.Token;

    /// <summary>The exit code of the signal received (130 when none was: a run stopped for another reason).</summary>
    public int ExitCode { get; private set; } = InterruptedCode;

    /// <inheritdoc/>
    public void Dispose()
    {
        Console.CancelKeyPress -= onCancel;
        term?.Dispose();
        cancel.Dispose();
    }
}
