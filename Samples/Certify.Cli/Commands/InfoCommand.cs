using System.CommandLine;
using Certify.Functional.Layers;
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
        var command = new Command("info", "Show a network's layers, shapes and parameters") { net, arch, json };
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
            foreach (var d in descriptions)
                output.Out.WriteLine(parse.GetValue(json) ? NetworkJson.ToJson(d) : d + "\n");
            return 0;
        });
        return command;
    }
}
