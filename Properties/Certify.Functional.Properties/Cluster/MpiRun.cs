using System.Diagnostics;
using System.Text;

namespace Certify.Functional.Properties.Cluster;

/// <summary>Runs the built <c>certify</c> under <c>mpirun</c> on this machine (Open MPI from Debian's openmpi-bin, which
/// .ci/run installs when it is missing), or as one plain process, and returns (exit code, stdout, stderr).</summary>
public static class MpiRun
{
    /// <summary>mpirun on the PATH, or null.</summary>
    public static string? Mpirun { get; } = Find("mpirun");

    /// <summary>Why MPI tests are skipped.</summary>
    public const string Absent = "mpirun is not installed (Debian: apt-get install openmpi-bin; .ci/run installs it as root)";

    /// <summary>The CLI under <c>mpirun -np <paramref name="ranks"/></c> (root allowed, oversubscription allowed: the
    /// machine may have fewer cores than ranks), with <paramref name="environment"/> added.</summary>
    public static (int Code, string Out, string Err) Certify(int ranks, string[] args, int timeoutSeconds = 600,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Mpirun ?? throw new InvalidOperationException(Absent))
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "dotnet", Path.Combine(AppContext.BaseDirectory, "certify.dll"), .. args])
            start.ArgumentList.Add(a);
        return Run(start, timeoutSeconds, environment);
    }

    /// <summary>The CLI as one plain process (no launcher), with <paramref name="environment"/> added.</summary>
    public static (int Code, string Out, string Err) Single(string[] args, int timeoutSeconds = 600, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[Path.Combine(AppContext.BaseDirectory, "certify.dll"), .. args]) start.ArgumentList.Add(a);
        return Run(start, timeoutSeconds, environment);
    }

    static (int, string, string) Run(ProcessStartInfo start, int timeoutSeconds, IReadOnlyDictionary<string, string>? environment)
    {
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} did not finish in {timeoutSeconds} s: {stderr}");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);
}

/// <summary>A fact that runs <c>mpirun</c>; skipped, with the reason, when Open MPI is not installed.</summary>
public sealed class MpiFactAttribute : FactAttribute
{
    /// <inheritdoc/>
    public override string? Skip { get => base.Skip ?? (MpiRun.Mpirun is null ? MpiRun.Absent : null); set => base.Skip = value; }
}
