using System.CommandLine;
using Certify.Functional.Samples;

namespace Certify.Cli.Commands;

/// <summary>Which checkpoint to evaluate on which test set: the options shared by <c>eval</c> and <c>attack</c>.</summary>
/// <param name="Net">Catalog network name.</param>
/// <param name="Architecture">JSON layer description, or null.</param>
/// <param name="Model">PyTorch state_dict file.</param>
/// <param name="Dataset">Dataset name.</param>
/// <param name="DataDir">Dataset folder, or null for the default.</param>
/// <param name="KeepNormalization">Keep the checkpoint's normalization constants.</param>
/// <param name="NetGiven">--net was given (not its default): with an ONNX model it must name the file's architecture.</param>
public sealed record ModelSelection(string Net, string? Architecture, string Model, string Dataset, string? DataDir, bool KeepNormalization, bool NetGiven = false)
{
    /// <summary>Loads it (see <see cref="NetworkResolution.LoadForEvaluation"/>).</summary>
    public LanguageExt.Fin<LoadedModel> Load() =>
        NetworkResolution.LoadForEvaluation(Net, Architecture, Model, Dataset, DataDir, KeepNormalization, NetGiven);
}

/// <summary>The options behind <see cref="ModelSelection"/>, added to a command once.</summary>
public sealed class ModelOptions
{
    readonly Option<string> net = new("--net") { Description = $"Network: {string.Join(", ", NetworkCatalog.Names)}", DefaultValueFactory = _ => "FC" };
    readonly Option<string?> arch = new("--arch") { Description = "JSON layer description of a network not in the catalog (or an ONNX file: its architecture)" };
    readonly Option<string> model = new("--model") { Description = "PyTorch state_dict file (.pt), or an ONNX model (.onnx, .onnx.gz: carries its architecture, no --net needed)", Required = true };
    readonly Option<string> dataset = new("--dataset") { Description = "mnist (embedded subset), fashion-mnist, cifar10", DefaultValueFactory = _ => "mnist" };
    readonly Option<string?> dataDir = new("--data-dir") { Description = "Folder with the dataset's files" };
    readonly Option<bool> keepNorm = new("--keep-normalization") { Description = "Keep the checkpoint's normalization constants instead of the dataset's" };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public Command AddTo(Command command)
    {
        foreach (var option in new Option[] { net, arch, model, dataset, dataDir, keepNorm }) command.Options.Add(option);
        return command;
    }

    /// <summary>The parsed selection.</summary>
    public ModelSelection Read(ParseResult parse) => new(parse.GetValue(net)!, parse.GetValue(arch), parse.GetValue(model)!,
        parse.GetValue(dataset)!.ToLowerInvariant(), parse.GetValue(dataDir), parse.GetValue(keepNorm),
        parse.GetResult(net) is { Implicit: false });
}
