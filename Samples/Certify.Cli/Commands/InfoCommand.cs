using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Certify.Functional.Layers;
using Certify.Functional.Training;
using Certify.Functional.Samples;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Cli.Commands;

/// <summary><c>certify info</c>: the layers, shapes and parameter count of a network (or of all of them).</summary>
public static class InfoCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliOutput output)
    {
        var net = new Option<string?>("--net") { Description = "Network name (default: all)" };
        var arch = new Option<string?>("--arch") { Description = "JSON layer description" };
        var json = new Option<bool>("--json") { Description = "Print the layer description as one JSON document (an array of them without --net or --arch)" };
        var batch = new Option<int>("--batch-size") { Description = "Batch size of the memory estimates", DefaultValueFactory = _ => 100 };
        var command = new Command("info", "Show a network's layers, shapes, parameters and training-memory estimate per relaxation") { net, arch, json, batch };
        command.SetAction(parse =>
        {
            var name = parse.GetValue(net);
            var descriptions = parse.GetValue(arch) is { } file
                ? NetworkJson.Load(file).ToFin().Map(d => (IReadOnlyList<NetworkDescription>)[d])
                : Catalog(name);
            int b = parse.GetValue(batch);
            var shown =
                from ds in descriptions
                from size in b > 0 ? FinSucc(b) : FinFail<int>(Error.New(1003, $"--batch-size must be > 0, got {b}."))
                select ds;
            return output.Exit(shown, CliApp.BadInput, ds =>
            {
                if (parse.GetValue(json))
                {
                    // One JSON document: the description itself for one network (a file --arch reads), an array of them for all.
                    output.Out.WriteLine(ds.Count == 1 && (name is not null || parse.GetValue(arch) is not null)
                        ? NetworkJson.ToJson(ds[0])
                        : new JsonArray(ds.Select(d => JsonNode.Parse(NetworkJson.ToJson(d))).ToArray()).ToJsonString(Indented));
                    return 0;
                }
                foreach (var d in ds)
                {
                    output.Out.WriteLine(d);
                    output.Out.WriteLine($"memory of one training step at batch {b} (estimate, float32): " + string.Join(", ",
                        TrainingMemory.Families.Select(f => $"{f} {Bytes(TrainingMemory.Estimate(d, b, f))}")));
                    output.Out.WriteLine();
                }
                return 0;
            });
        });
        return command;
    }

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    // The named catalog network (every one when no name is given).
    static LanguageExt.Fin<IReadOnlyList<NetworkDescription>> Catalog(string? name)
    {
        var descriptions = NetworkCatalog.All.Where(e => name is null || string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
            .Select(e => e.Description).ToList();
        return descriptions.Count > 0
            ? FinSucc<IReadOnlyList<NetworkDescription>>(descriptions)
            : FinFail<IReadOnlyList<NetworkDescription>>(Error.New(1004, $"Unknown network '{name}'. Known: {string.Join(", ", NetworkCatalog.Names)}."));
    }

    static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => FormattableString.Invariant($"{bytes / (double)(1L << 30):F1} GiB"),
        >= 1L << 20 => FormattableString.Invariant($"{bytes / (double)(1L << 20):F0} MiB"),
        _ => FormattableString.Invariant($"{bytes / 1024.0:F0} KiB"),
    };
}
