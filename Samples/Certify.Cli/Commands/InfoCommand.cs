using System.CommandLine;
using Certify.Functional.Layers;
using Certify.Functional.Training;
using Certify.Functional.Samples;
using LanguageExt.Common;

namespace Certify.Cli.Commands;

/// <summary><c>certify info</c>: the layers, shapes and parameter count of a network (or of all of them).</summary>
public static class InfoCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliOutput output)
    {
        var net = new Option<string?>("--net") { Description = "Network name (default: all)" };
        var arch = new Option<string?>("--arch") { Description = "JSON layer description" };
        var json = new Option<bool>("--json") { Description = "Print the layer description as JSON" };
        var batch = new Option<int>("--batch-size") { Description = "Batch size of the memory estimates", DefaultValueFactory = _ => 100 };
        var command = new Command("info", "Show a network's layers, shapes, parameters and training-memory estimate per relaxation") { net, arch, json, batch };
        command.SetAction(parse =>
        {
            IEnumerable<NetworkDescription> descriptions;
            if (parse.GetValue(arch) is { } file)
            {
                var loaded = NetworkJson.Load(file).ToFin();
                if (loaded.IsFail) return output.Fail((Error)loaded, CliApp.BadInput);
                descriptions = [(NetworkDescription)loaded];
            }
            else
            {
                var name = parse.GetValue(net);
                descriptions = NetworkCatalog.All.Where(e => name is null || string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
                    .Select(e => e.Description).ToList();
                if (!descriptions.Any())
                    return output.Fail(Error.New(1004, $"Unknown network '{name}'. Known: {string.Join(", ", NetworkCatalog.Names)}."), CliApp.BadInput);
            }
            int b = parse.GetValue(batch);
            if (b <= 0) return output.Fail(Error.New(1003, $"--batch-size must be > 0, got {b}."), CliApp.BadInput);
            foreach (var d in descriptions)
            {
                if (parse.GetValue(json)) { output.Out.WriteLine(NetworkJson.ToJson(d)); continue; }
                output.Out.WriteLine(d);
                output.Out.WriteLine($"memory of one training step at batch {b} (estimate, float32): " + string.Join(", ",
                    TrainingMemory.Families.Select(f => $"{f} {Bytes(TrainingMemory.Estimate(d, b, f))}")));
                output.Out.WriteLine();
            }
            return 0;
        });
        return command;
    }

    static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => FormattableString.Invariant($"{bytes / (double)(1L << 30):F1} GiB"),
        >= 1L << 20 => FormattableString.Invariant($"{bytes / (double)(1L << 20):F0} MiB"),
        _ => FormattableString.Invariant($"{bytes / 1024.0:F0} KiB"),
    };
}
