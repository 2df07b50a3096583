using System.CommandLine;
using System.Text.Json;
using Certify.Functional.Training;

namespace Certify.Cli.Commands;

/// <summary><c>certify presets</c>: every preset with the row it reproduces and its settings (optionally scaled by a
/// budget); <c>--json</c> prints the full configurations.</summary>
public static class PresetsCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliOutput output)
    {
        var budget = new Option<string>("--budget") { Description = "Show the settings scaled to this budget: paper or quick", DefaultValueFactory = _ => "paper" };
        var json = new Option<bool>("--json") { Description = "Print the configurations as JSON" };
        var command = new Command("presets", "List the training presets (Table 2 rows and FC-SMALL versions) with their settings") { budget, json };
        command.SetAction(parse =>
        {
            var scaled = Presets.All.Select(p => Presets.Scale(p.Config, parse.GetValue(budget)!).Map(c => (Preset: p, Config: c))).Collect();
            return output.Exit(scaled, CliApp.BadInput, rows => Show(rows, parse.GetValue(json), output));
        });
        return command;
    }

    static int Show(IReadOnlyList<(Preset Preset, TrainConfig Config)> rows, bool asJson, CliOutput output)
    {
        if (asJson)
        {
            output.Out.WriteLine(JsonSerializer.Serialize(rows.Select(r => new { name = r.Preset.Name, row = r.Preset.Row, config = r.Config }), RunReport.Json));
            return 0;
        }
        int width = rows.Max(r => r.Preset.Name.Length);
        foreach (var (p, c) in rows)
        {
            output.Out.WriteLine($"{p.Name.PadRight(width)}  {p.Row}");
            output.Out.WriteLine($"{new string(' ', width)}  {Presets.Describe(c)}");
        }
        output.Out.WriteLine();
        output.Out.WriteLine("Use: certify train --preset NAME [--budget quick] [any flag to override a setting, e.g. --eps 0.1]");
        return 0;
    }
}
