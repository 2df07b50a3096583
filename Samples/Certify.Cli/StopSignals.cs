using System.Runtime.InteropServices;

namespace Certify.Cli;

/// <summary>Ctrl-C (SIGINT) and SIGTERM (timeout, schedulers, docker stop) as a request to stop after the current piece
/// of work and keep what is done: the first signal cancels <see cref="Token"/> and prints <c>message</c>; a second one
/// terminates the process as usual. Exit with <see cref="ExitCode"/> (130 for SIGINT, 143 for SIGTERM) once stopped.</summary>
public sealed class StopSignals : IDisposable
{
    /// <summary>Exit code of a run stopped by SIGTERM (128 + 15), as a shell reports it.</summary>
    public const int Terminated = 143;
    /// <summary>Exit code of a run stopped by SIGINT (Ctrl-C, 128 + 2).</summary>
    public const int Interrupted = 130;

    readonly CancellationTokenSource cancel = new();
    readonly ConsoleCancelEventHandler onCancel;
    readonly PosixSignalRegistration? onTerm;
    readonly TextWriter err;
    readonly string message;

    /// <summary>Starts listening; <paramref name="message"/> (e.g. "finishing the current batch") is printed on
    /// <paramref name="err"/> at the first signal.</summary>
    public StopSignals(TextWriter err, string message)
    {
        this.err = err;
        this.message = message;
        onCancel = (_, e) =>
        {
            if (!Request("interrupt", Interrupted)) return;     // a second Ctrl-C terminates
            e.Cancel = true;
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                if (Request("terminate", Terminated)) context.Cancel = true;
            });
        }
        catch (PlatformNotSupportedException) { onTerm = null; }
    }

    /// <summary>Cancelled at the first signal.</summary>
    public CancellationToken Token => cancel.Token;

    /// <summary>Whether a signal asked to stop.</summary>
    public bool Stopped => cancel.IsCancellationRequested;

    /// <summary>130 after SIGINT, 143 after SIGTERM (0 when no signal came).</summary>
    public int ExitCode { get; private set; }

    /// <summary>The exit code of a run that stopped before its end: the signal's, or 130 when it stopped for another reason.</summary>
    public int StoppedCode => ExitCode is 0 ? Interrupted : ExitCode;

    /// <summary>Stop as if signal <paramref name="exitCode"/> − 128 had come (for callers that stop for their own reasons).</summary>
    public bool Request(string what, int exitCode)
    {
        lock (cancel)
        {
            if (cancel.IsCancellationRequested) return false;
            ExitCode = exitCode;
            cancel.Cancel();
        }
        err.WriteLine($"\n{what}: {message} (again to abort)");
        return true;
    }

    /// <summary>Stops listening.</summary>
    public void Dispose()
    {
        Console.CancelKeyPress -= onCancel;
        onTerm?.Dispose();
        cancel.Dispose();
    }
}
