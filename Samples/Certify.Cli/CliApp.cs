using Certify.Functional.Runtime;
using Certify.Functional.Runtime.Cluster;
using System.CommandLine;
using Certify.Cli.Commands;
using Certify.Functional.Training;
using Certify.Functional.Verification.Runtime;
using Unit = LanguageExt.Unit;
using LanguageExt.Common;
using static TorchSharp.torch;

namespace Certify.Cli;

/// <summary>The <c>certify</c> command line: parsing, the common options and the one place where failures become
/// a readable line on stderr and an exit code (0 success, 1 a run failed, 2 bad input).</summary>
public static class CliApp
{
    /// <summary>Exit code of a run that failed (unreadable file, NaN loss, …).</summary>
    public const int Failed = 1;
    /// <summary>Exit code of bad input (unknown network, negative ε, missing data …).</summary>
    public const int BadInput = 2;

    internal static readonly Option<int> Threads = new("--threads")
    {
        Description = "Intra-op threads of torch (at most the machine's cores)", DefaultValueFactory = _ => 1, Recursive = true,
        CustomParser = r => int.TryParse(r.Tokens.Count > 0 ? r.Tokens[^1].Value : "", System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? CappedThreads(n).Capped : ThreadsError(r),
    };

    // More intra-op threads than cores only slows torch down (seen: 5× at 1000 threads on 2 cores); the ranks of an MPI job
    // on one machine share its cores.
    static (int Asked, int Capped) CappedThreads(int asked) => (asked, launch.ThreadsPerRank(asked, Environment.ProcessorCount));

    static Launch launch = Launch.None;

    /// <summary>The commands that split their work across the ranks of an MPI job; the others run on rank 0 alone.</summary>
    static readonly HashSet<string> Parallel = ["train", "verify", "attack", "paradox", "vnncomp"];

    static int ThreadsError(System.CommandLine.Parsing.ArgumentResult r)
    {
        r.AddError($"--threads: '{(r.Tokens.Count > 0 ? r.Tokens[^1].Value : "")}' is not a whole number ≥ 1.");
        return 1;
    }
    internal static readonly Option<long> Seed = new("--seed")
    { Description = "Seed of torch and of the data order", DefaultValueFactory = _ => 0, Recursive = true };
    internal static readonly Option<string> Device = new("--device")
    { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu", Recursive = true };
    internal static readonly Option<bool> Quiet = new("--quiet", "-q")
    { Description = "No progress output", Recursive = true };

    /// <summary>Runs the command line; output goes to <paramref name="stdout"/>/<paramref name="stderr"/>
    /// (the console by default).</summary>
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null) =>
        Run(args, Launch.None, Cluster.Single, stdout ?? Console.Out, stderr ?? Console.Error);

    /// <summary>The program's entry: the process's launch read from its environment; under an MPI launcher with several
    /// ranks, MPI is opened (a clear error, exit 2, when it cannot be), every rank runs the command line, rank 0 alone
    /// writes to stdout and prints progress (the other ranks print only their errors, marked with their rank), and a rank
    /// that fails ends the whole job (MPI_Abort) instead of leaving the others waiting.</summary>
    public static int Start(string[] args)
    {
        var detected = Launch.Detect();
        return Clusters.Open(detected).Match(
            Succ: cluster =>
            {
                int code;
                try
                {
                    code = cluster.IsRoot ? Run(args, detected, cluster, Console.Out, Console.Error)
                        : Run(args, detected, cluster, TextWriter.Null, new RankErrors(Console.Error, cluster.Rank));
                }
                catch (Exception ex)
                {
                    Console.Error.WriteLine($"error: rank {cluster.Rank}: unexpected failure: {ex.GetType().Name}: {ex.Message}");
                    code = Failed;
                }
                if (cluster.IsParallel)
                {
                    Console.Error.Flush();
                    // A failure: the other ranks may be waiting for this one. A run that ended (or was stopped, by agreement,
                    // after the same step on every rank): wait until rank 0 has written everything, since mpirun ends the
                    // job as soon as one rank exits with a non-zero code.
                    if (code is 0 or StopSignals.Interrupted or StopSignals.Terminated) cluster.Barrier();
                    else cluster.Abort(code);
                }
                cluster.Dispose();
                return code;
            },
            Fail: e =>
            {
                Console.Error.WriteLine($"error CF{e.Code}: {e.Message}");
                return BadInput;
            });
    }

    static int Run(string[] args, Launch detected, Cluster cluster, TextWriter stdout, TextWriter stderr)
    {
        launch = detected;
        var output = new CliOutput(stdout, stderr, cluster);
        var root = new RootCommand("certify — certified training of neural networks against L∞ perturbations (Certify.Functional)")
        {
            Threads, Seed, Device, Quiet,
            TrainCommand.Create(output),
            EvalCommand.Create(output),
            VerifyCommand.Create(output),
            AttackCommand.Create(output),
            InfoCommand.Create(output),
            ExportCommand.Create(output),
            PresetsCommand.Create(output),
            ParadoxCommand.Create(output),
            DoctorCommand.Create(output),
            VnnLibCommand.Create(output),
            VnnCompCommand.Create(output),
        };
        CliNumbers.Apply(root);
        try
        {
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0 && !args.Any(a => a is "--help" or "-h" or "-?"))
            {
                // One line and exit 2, as for every other bad input (not the whole help text and exit 1).
                string command = parsed.CommandResult.Command == root ? "" : parsed.CommandResult.Command.Name + " ";
                // The most telling error first: an unknown word, then a malformed value, then what is missing.
                var error = parsed.Errors.OrderBy(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal) ? 0
                    : e.Message.Contains("is not a", StringComparison.Ordinal) || e.Message.StartsWith("Cannot parse", StringComparison.Ordinal) ? 1 : 2).First();
                output.Err.WriteLine($"error CF{Functional.Errors.ErrorCodes.InvalidCommandLine}: {error.Message} " +
                    $"(see certify {command}--help)");
                return BadInput;
            }
            if (parsed.GetResult(Device) is { Implicit: false } && Devices.Problem(parsed.GetValue(Device)!) is { } deviceProblem)
            {
                output.Err.WriteLine($"error CF{Functional.Errors.ErrorCodes.UnknownDevice}: {deviceProblem}");
                return BadInput;
            }
            if (parsed.GetResult(Threads) is { Implicit: false, Tokens: [.., var token] } && int.TryParse(token.Value, out var threads)
                && CappedThreads(threads) is var (asked, capped) && capped < asked && !parsed.GetValue(Quiet))
                output.Err.WriteLine($"note: --threads {asked} is more than this machine's {capped} core(s); using {capped}.");
            // The paradox study's own training runs are not split (only `paradox --released` is).
            bool parallel = Parallel.Contains(parsed.CommandResult.Command.Name)
                && !(parsed.CommandResult.Command.Name == "paradox" && !args.Contains("--released"));
            if (cluster.IsParallel && !parallel)
            {
                // Not split across ranks: rank 0 does it alone (the others would write the same files).
                if (!cluster.IsRoot) return 0;
                output.Err.WriteLine($"note: `{parsed.CommandResult.Command.Name}` does not split its work across ranks; rank 0 runs it alone.");
            }
            else if (cluster.IsParallel && cluster.IsRoot && !parsed.GetValue(Quiet))
                output.Err.WriteLine($"{cluster.Description} ({launch.Launcher}, {launch.LocalRanks} on this machine), {parsed.GetValue(Threads)} thread(s) per rank");
            return parsed.Invoke(new InvocationConfiguration { Output = output.Out, Error = output.Err, EnableDefaultExceptionHandler = false });
        }
        catch (OutputWriteException ex)
        {
            output.Err.WriteLine($"error CF{Functional.Errors.ErrorCodes.WriteFailed}: {ex.Message}");
            return Failed;
        }
        catch (Exception ex)
        {
            output.Err.WriteLine($"error: unexpected failure: {ex.GetType().Name}: {ex.Message}");
            if (Environment.GetEnvironmentVariable("CERTIFY_DEBUG") == "1") output.Err.WriteLine(ex);
            return Failed;
        }
    }
}

/// <summary>The native-kernel self-check (<see cref="KernelCheck"/>) as the commands that compute certificates or
/// gradients use it: a failure (one error per failed check) when a native kernel failed its check on the device.</summary>
static class KernelGate
{
    /// <summary>Succeeds when every kernel check passed on <paramref name="device"/>.</summary>
    public static LanguageExt.Fin<Unit> Check(Device device) => KernelCheck.Ensure(device);

    /// <summary>Succeeds when every kernel check passed on the device called <paramref name="deviceName"/>.</summary>
    public static LanguageExt.Fin<Unit> Check(string deviceName) => Check(Devices.Parse(deviceName));

    /// <summary>Succeeds when every kernel check passed on the plan's device.</summary>
    public static LanguageExt.Fin<Unit> Check(TrainDevice device) => Check(device.Open());
}

/// <summary>Where a command writes: results to <see cref="Out"/>, progress and errors to <see cref="Err"/>; the job's ranks
/// (<see cref="Cluster.Single"/> for a plain process).</summary>
public sealed record CliOutput(TextWriter Out, TextWriter Err, Cluster Cluster)
{
    /// <summary>A single process's output.</summary>
    public CliOutput(TextWriter @out, TextWriter err) : this(@out, err, Cluster.Single) { }

    /// <summary><paramref name="body"/> of the value of <paramref name="result"/>, or, when it failed, every error printed
    /// and <paramref name="exitCode"/>.</summary>
    public int Exit<T>(LanguageExt.Fin<T> result, int exitCode, Func<T, int> body) => result.Match(Succ: body, Fail: e => Fail(e, exitCode));

    /// <summary>Prints every error (one line each, with its code) and returns <paramref name="exitCode"/>.</summary>
    public int Fail(Error error, int exitCode)
    {
        foreach (var e in error.AsEnumerable())
            Err.WriteLine(e.Code != 0 ? $"error CF{e.Code}: {e.Message}" : $"error: {e.Message}");
        return exitCode;
    }
}

/// <summary>Standard error of a rank other than 0: only its errors and warnings, each line marked with the rank (its
/// progress and notes would repeat rank 0's).</summary>
sealed class RankErrors(TextWriter inner, int rank) : TextWriter
{
    readonly System.Text.StringBuilder line = new();

    public override System.Text.Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        if (value != '\n') { line.Append(value); return; }
        var text = line.ToString().TrimEnd('\r');
        line.Clear();
        if (text.StartsWith("error", StringComparison.Ordinal) || text.StartsWith("warning", StringComparison.Ordinal))
        {
            inner.WriteLine($"[rank {rank}] {text}");
            inner.Flush();
        }
    }
}
