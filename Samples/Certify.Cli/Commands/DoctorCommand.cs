using Certify.Functional.Runtime;
using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Certify.Functional.Training;
using Certify.Functional.Verification.Runtime;
using TorchSharp;

namespace Certify.Cli.Commands;

/// <summary><c>certify doctor</c>: what this machine is (CPU and its vector extensions, libtorch, TorchSharp, the oneDNN
/// instruction-set cap) and the result of every native-kernel self-check that certificates depend on. Exit 0 when
/// every check passed, 1 otherwise.</summary>
public static class DoctorCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliOutput output)
    {
        var json = new Option<bool>("--json") { Description = "Print the facts and checks as JSON" };
        var command = new Command("doctor", "Show the machine's CPU, libtorch and the native-kernel self-checks certificates depend on") { json };
        command.SetAction(parse =>
        {
            torch.set_num_threads(parse.GetValue(CliApp.Threads));
            var device = Devices.Parse(parse.GetValue(CliApp.Device)!);
            var facts = Facts();
            var checks = KernelCheck.Results(device);
            bool ok = checks.All(c => c.Passed);
            if (parse.GetValue(json))
            {
                output.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    facts,
                    checks = checks.Select(c => new { operation = c.Operation, shapes = c.Shapes, error = Finite(c.Error), ratio = Finite(c.Ratio), passed = c.Passed }),
                    passed = ok,
                }, new JsonSerializerOptions { WriteIndented = true }));
                return ok ? 0 : CliApp.Failed;
            }
            foreach (var (key, value) in facts) output.Out.WriteLine($"{key + ":",-18} {value}");
            output.Out.WriteLine();
            output.Out.WriteLine("native kernels, float32 against a float64 reference (ratio: largest error ÷ its rounding-error bound; pass ≤ 1):");
            foreach (var c in checks)
                output.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {(c.Passed ? "ok  " : "FAIL")}  {c.Operation,-32} {c.Shapes,-44} error {c.Error,9:G3}  ratio {c.Ratio,8:G3}"));
            output.Out.WriteLine();
            output.Out.WriteLine(ok
                ? $"all {checks.Count} checks passed: certificates and gradients on this machine use kernels that computed right."
                : $"{checks.Count(c => !c.Passed)} of {checks.Count} checks FAILED: verify, train, attack and paradox refuse to run (exit 2). Workaround: ONEDNN_MAX_CPU_ISA=SSE41 in the environment.");
            return ok ? 0 : CliApp.Failed;
        });
        return command;
    }

    static double? Finite(double v) => double.IsFinite(v) ? v : null;

    /// <summary>Facts about the machine and the native libraries, in display order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Facts()
    {
        var (model, flags) = Cpu();
        string[] wanted = ["sse4_1", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "amx_tile"];
        var isaCap = Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") ?? Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA");
        return
        [
            new("cpu", model),
            new("cores", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)),
            new("vector extensions", string.Join(" ", wanted.Where(flags.Contains)) is { Length: > 0 } s ? s : "unknown"),
            new("os", RuntimeInformation.OSDescription),
            new(".NET", RuntimeInformation.FrameworkDescription),
            new("TorchSharp", typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown"),
            new("libtorch", torch.__version__),
            new("intra-op threads", torch.get_num_threads().ToString(CultureInfo.InvariantCulture)),
            new("oneDNN ISA cap", isaCap is null ? "none (oneDNN picks the best the CPU has)" : $"ONEDNN_MAX_CPU_ISA={isaCap}"),
            new("MPI", Functional.Runtime.Cluster.MpiCluster.Available() ?? "not installed (needed only under mpirun/srun: apt install openmpi-bin; docs/cluster.md)"),
        ];
    }

    // Model name and flags from /proc/cpuinfo (Linux); elsewhere the architecture only.
    static (string Model, HashSet<string> Flags) Cpu()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                var lines = File.ReadLines("/proc/cpuinfo").TakeWhile(l => l.Length > 0).ToList();
                string Field(string name) => lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "";
                return (Field("model name") is { Length: > 0 } m ? m : RuntimeInformation.ProcessArchitecture.ToString(),
                    [.. Field("flags").Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
            }
        }
        catch (IOException) { }
        return (RuntimeInformation.ProcessArchitecture.ToString(), []);
    }
}
