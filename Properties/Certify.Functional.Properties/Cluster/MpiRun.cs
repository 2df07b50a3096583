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

    /// <summary>How to start the CLI under <c>mpirun -np <paramref name="ranks"/></c> (root allowed, oversubscription
    /// allowed: the machine may have fewer cores than ranks), or, for 1 rank with <paramref name="plainForOne"/>, as one
    /// plain process.</summary>
    public static ProcessStartInfo Command(int ranks, string[] args, bool plainForOne = false)
    {
        var certify = Path.Combine(AppContext.BaseDirectory, "certify.dll");
        string[] launcher = ranks == 1 && plainForOne ? ["dotnet", certify]
            : [Mpirun ?? throw new InvalidOperationException(Absent), .. Options, "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), "dotnet", certify];
        return Program([.. launcher, .. args]);
    }

    /// <summary>mpirun's options in these tests.</summary>
    public static readonly string[] Options = ["--allow-run-as-root", "--oversubscribe", "--bind-to", "none"];

    /// <summary>A program and its arguments, with stdout and stderr redirected.</summary>
    public static ProcessStartInfo Program(string[] commandLine)
    {
        var start = new ProcessStartInfo(commandLine[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in commandLine.Skip(1)) start.ArgumentList.Add(a);
        return start;
    }

    /// <summary>The CLI under <c>mpirun -np <paramref name="ranks"/></c>, with <paramref name="environment"/> added.</summary>
    public static (int Code, string Out, string Err) Certify(int ranks, string[] args, int timeoutSeconds = 600,
        IReadOnlyDictionary<string, string>? environment = null) => Run(Command(ranks, args), timeoutSeconds, environment);

    /// <summary>The CLI as one plain process (no launcher), with <paramref name="environment"/> added.</summary>
    public static (int Code, string Out, string Err) Single(string[] args, int timeoutSeconds = 600, IReadOnlyDictionary<string, string>? environment = null) =>
        Run(Command(1, args, plainForOne: true), timeoutSeconds, environment);

    /// <summary>Runs <paramref name="start"/> to its end: (exit code, stdout, stderr).</summary>
    public static (int Code, string Out, string Err) Run(ProcessStartInfo start, int timeoutSeconds = 600, IReadOnlyDictionary<string, string>? environment = null)
    {
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var running = Captured.Start(start);
        if (!running.Process.WaitForExit(timeoutSeconds * 1000))
        {
            running.Process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} did not finish in {timeoutSeconds} s: {running.Err}");
        }
        running.Process.WaitForExit();                      // the output handlers have run
        return (running.Process.ExitCode, running.Out, running.Err);
    }

    /// <summary>The process of MPI rank <paramref name="rank"/> among <paramref name="mpirun"/>'s children (its environment
    /// says OMPI_COMM_WORLD_RANK), waiting up to 30 s for it to start.</summary>
    public static int RankProcess(int mpirun, int rank)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < 30)
        {
            foreach (var child in Children(mpirun))
            {
                try
                {
                    if (File.ReadAllText($"/proc/{child}/environ").Split('\0').Contains($"OMPI_COMM_WORLD_RANK={rank}")) return child;
                }
                catch (IOException) { }                     // the child ended meanwhile
            }
            Thread.Sleep(50);
        }
        throw new InvalidOperationException($"no process of rank {rank} under mpirun {mpirun}");
    }

    static IEnumerable<int> Children(int pid) =>
        Directory.GetDirectories($"/proc/{pid}/task")
            .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(int.Parse);

    static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);
}

/// <summary>A started process whose stdout and stderr are collected as they come (for tests that act while it runs:
/// signals, killed ranks).</summary>
public sealed class Captured : IDisposable
{
    readonly StringBuilder stdout = new(), stderr = new();

    Captured(Process process) => Process = process;

    /// <summary>The process.</summary>
    public Process Process { get; }

    /// <summary>Standard output so far.</summary>
    public string Out { get { lock (stdout) return stdout.ToString(); } }

    /// <summary>Standard error so far.</summary>
    public string Err { get { lock (stderr) return stderr.ToString(); } }

    /// <summary>Starts <paramref name="start"/> (its output must be redirected) and collects its output.</summary>
    public static Captured Start(ProcessStartInfo start)
    {
        var captured = new Captured(new Process { StartInfo = start });
        captured.Process.OutputDataReceived += (_, e) => { lock (captured.stdout) captured.stdout.AppendLine(e.Data); };
        captured.Process.ErrorDataReceived += (_, e) => { lock (captured.stderr) captured.stderr.AppendLine(e.Data); };
        captured.Process.Start();
        captured.Process.BeginOutputReadLine();
        captured.Process.BeginErrorReadLine();
        return captured;
    }

    /// <summary>Kills what is still running and releases the process.</summary>
    public void Dispose()
    {
        try { if (!Process.HasExited) Process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
        Process.Dispose();
    }
}

/// <summary>A fact that runs <c>mpirun</c>; skipped, with the reason, when Open MPI is not installed.</summary>
public sealed class MpiFactAttribute : FactAttribute
{
    /// <inheritdoc/>
    public override string? Skip { get => base.Skip ?? (MpiRun.Mpirun is null ? MpiRun.Absent : null); set => base.Skip = value; }
}
