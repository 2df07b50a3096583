using System.CommandLine;
using System.Globalization;
using Certify.Functional.Errors;
using Certify.Functional.Networks;
using Certify.Functional.Runtime;
using Certify.Functional.Verification.Bab;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification.Vnn;
using Certify.Functional.VnnLib;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Cli.Commands;

/// <summary><c>certify vnnlib --onnx N.onnx --vnnlib P.vnnlib</c>: decides one VNN-LIB property on one ONNX network
/// (<see cref="PropertyVerifier"/>) and prints the answer in VNN-COMP's result format (sat with the counterexample,
/// unsat, unknown, timeout); stages and times on stderr.</summary>
public static class VnnLibCommand
{
    internal static System.CommandLine.Option<int?> Restarts() => new("--pgd-restarts")
    { Description = "Random starts per clause of the second (thorough) falsification, after the relaxations (default 200,000 / input size, within 50–1,000)" };

    internal static System.CommandLine.Option<int> Steps() => new("--pgd-steps")
    { Description = "Steps per start of the second falsification", DefaultValueFactory = _ => 200 };

    internal static System.CommandLine.Option<string?> Ladder() => new("--ladder")
    { Description = "Relaxations tried in order (comma-separated; default box,crown,alpha-crown,alpha-crown:intermediate=1,triangle-lp:skip-stable=1 — the LP only on fully connected networks of ≤ 600 ReLU neurons)" };

    internal static System.CommandLine.Option<string> Bab() => new("--bab")
    {
        Description = "The last stage, branch and bound: on, off, or its options (steps=10,input-steps=0,root-steps=20,beta=1,warm=1,batch=64,candidates=3,subproblems=0 (a budget; 0: none),memory=4096; "
            + "ReLU splits, input splits for inputs of ≤ 16 elements)",
        DefaultValueFactory = _ => "on",
    };

    /// <summary>The command.</summary>
    public static Command Create(CliOutput output)
    {
        var onnx = new System.CommandLine.Option<string>("--onnx") { Description = "The network (.onnx or .onnx.gz)", Required = true };
        var vnnlib = new System.CommandLine.Option<string>("--vnnlib") { Description = "The property (.vnnlib or .vnnlib.gz)", Required = true };
        var timeout = new System.CommandLine.Option<double>("--timeout") { Description = "Time limit in seconds", DefaultValueFactory = _ => 300 };
        var outFile = new System.CommandLine.Option<string?>("--out") { Description = "Also write the result (VNN-COMP format) to this file" };
        var ladder = Ladder();
        var restarts = Restarts();
        var steps = Steps();
        var bab = Bab();
        var command = new Command("vnnlib", "Decide one VNN-LIB property on one ONNX network (sat / unsat / unknown / timeout)")
        { onnx, vnnlib, timeout, outFile, ladder, restarts, steps, bab };
        command.SetAction(parse =>
        {
            double t = parse.GetValue(timeout);
            if (!(t > 0) || !double.IsFinite(t))
                return output.Fail(Error.New(ErrorCodes.InvalidConfig, $"--timeout must be a finite number of seconds > 0, got {t}."), CliApp.BadInput);
            var device = Devices.Parse(parse.GetValue(CliApp.Device)!);
            torch.set_num_threads(parse.GetValue(CliApp.Threads));
            bool quiet = parse.GetValue(CliApp.Quiet);
            var prepared =
                from options in Options(parse.GetValue(ladder), t, parse.GetValue(CliApp.Seed), parse.GetValue(restarts), parse.GetValue(steps), parse.GetValue(bab)!)
                from passed in KernelGate.Check(device)
                from instance in VnnInstance.Load(parse.GetValue(onnx)!, parse.GetValue(vnnlib)!, device)
                select (options, instance);
            return output.Exit(prepared, CliApp.BadInput, ready =>
            {
                var (options, (network, property)) = ready;
                using var _ = network;
                var result = PropertyVerifier.Run(network, property, options, quiet ? null : line => output.Err.WriteLine(line));
                string text = result.ToVnnComp();
                output.Out.Write(text);
                if (!quiet) output.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Word} ({result.Method}) in {result.Seconds:F2} s"));
                if (parse.GetValue(outFile) is { } path) AtomicFile.WriteAllText(path, text);
                return 0;
            });
        });
        return command;
    }

    /// <summary>The options of a run: the ladder parsed (every name checked), the time limit, the seed.</summary>
    internal static Fin<PropertyOptions> Options(string? ladder, double timeoutSeconds, long seed, int? restarts, int steps, string bab = "on")
    {
        var babOptions = bab.Trim().ToLowerInvariant() switch
        {
            "on" => FinSucc<BabOptions?>(BabOptions.Default),
            "off" => FinSucc<BabOptions?>(null),
            var text when text.Contains("time=") => FinFail<BabOptions?>(Error.New(ErrorCodes.InvalidConfig, "--bab: the time limit is the instance's (--timeout); drop time=.")),
            var text => Domain.Parse("bab:" + text).Match(d => FinSucc<BabOptions?>(((BabDomain)d).Options),
                e => FinFail<BabOptions?>(Error.New(ErrorCodes.InvalidConfig, "--bab: " + e.Message.Replace("Domain 'bab:" + text + "': ", "")))),
        };
        if (babOptions.IsFail) return babOptions.Map(_ => (PropertyOptions)null!);
        var chosen = babOptions.Match(o => o, _ => null);
        if (restarts is < 1 || steps < 0)
            return FinFail<PropertyOptions>(Error.New(ErrorCodes.InvalidConfig, $"--pgd-restarts must be ≥ 1 and --pgd-steps ≥ 0, got {restarts} and {steps}."));
        var defaults = PropertyOptions.For(timeoutSeconds) with
        {
            Seed = seed,
            Bab = chosen,
            Thorough = restarts is null && steps == 200 ? null : new FalsifyOptions(restarts ?? 0, steps, FalsifyOptions.Quick.StepSize),
        };
        if (ladder is null) return defaults;
        var domains = Domain.SplitList(ladder).Select(Domain.Parse).ToArray();
        var failed = domains.Where(d => d.IsFail).Select(d => d.Match(_ => Error.New("?"), e => e)).ToArray();
        if (failed.Length > 0) return FinFail<PropertyOptions>(Error.Many(failed));
        var parsed = domains.Select(d => d.Match(x => x, _ => throw new InvalidOperationException())).ToArray();
        if (parsed.FirstOrDefault(d => d is Iclr2021Domain || !d.IsSound) is { } bad)
            return FinFail<PropertyOptions>(Error.New(ErrorCodes.InvalidConfig,
                $"--ladder: '{bad.Name}' cannot bound a VNN-LIB property here (it bounds only logit differences, or is a defect-compatible unsound variant); use box, zono, hbox, crown, crown-ibp, alpha-crown, triangle-lp."));
        return parsed.Length == 0
            ? FinFail<PropertyOptions>(Error.New(ErrorCodes.InvalidConfig, "--ladder: name at least one relaxation."))
            : defaults with { Ladder = parsed };
    }
}

/// <summary>An ONNX network and a VNN-LIB property that fit each other (sizes checked).</summary>
static class VnnInstance
{
    /// <summary>Loads both files and checks the property against the network's input and output sizes.</summary>
    public static Fin<(NetworkModule Network, VnnLibProperty Property)> Load(string onnxPath, string vnnlibPath, Device device) =>
        OnnxNetworks.Load(onnxPath).Bind(network =>
        {
            var property = VnnLibReader.Load(vnnlibPath).Bind(p => VnnLibReader.Check(p, network.Description.Input.Size, network.Description.Output.Size));
            if (property.IsFail) network.Dispose();
            return property.Map(p => (Moved(network, device), p));
        });

    static NetworkModule Moved(NetworkModule network, Device device)
    {
        network.to(device);
        network.eval();
        return network;
    }
}
