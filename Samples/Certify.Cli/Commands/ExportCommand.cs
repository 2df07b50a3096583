using System.CommandLine;
using System.Globalization;
using Certify.Functional.Errors;
using Certify.Functional.Layers;
using Certify.Functional.Onnx;
using LanguageExt.Common;
using TorchSharp;
using static LanguageExt.Prelude;

namespace Certify.Cli.Commands;

/// <summary><c>certify export</c>: a checkpoint (ours or the paper's PyTorch state dicts) as an ONNX model that any ONNX
/// runtime or verifier reads. The network is loaded exactly as <c>eval</c> and <c>verify</c> load it (the dataset's
/// normalization constants unless --keep-normalization), so the ONNX model computes the logits they evaluate.</summary>
public static class ExportCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliOutput output)
    {
        var selection = new ModelOptions();
        var onnx = new Option<string>("--onnx") { Description = "ONNX file to write (replaced atomically if it exists)", Required = true };
        var command = selection.AddTo(new Command("export", "Write a checkpoint as an ONNX model (opset 13, float32, batch dimension N)") { onnx });
        command.SetAction(parse => Run(selection.Read(parse), parse.GetValue(onnx)!, parse.GetValue(CliApp.Threads), output, parse.GetValue(CliApp.Quiet)));
        return command;
    }

    // The target's folder, created by the check, is removed again when the export fails and leaves it empty.
    static int Run(ModelSelection selection, string onnx, int threads, CliOutput output, bool quiet) =>
        OutputFolders.Cleaning(string.IsNullOrWhiteSpace(onnx) ? "" : Path.GetDirectoryName(Path.GetFullPath(onnx))!, () =>
            output.Exit(CheckTarget(onnx, "--onnx"), CliApp.BadInput, target =>
            {
                torch.set_num_threads(threads);
                return output.Exit(selection.Load(), CliApp.BadInput, loaded =>
                {
                    using var network = loaded.Network;
                    if (loaded.Note is { } note && !quiet) output.Err.WriteLine($"note: {note}");
                    OnnxExport.Write(network, target, $"{loaded.Description.Name} from {Path.GetFileName(selection.Model)}, exported by `certify export`");
                    output.Out.WriteLine($"onnx: {Summary(target, loaded.Description)}");
                    return 0;
                });
            }));

    /// <summary>The full path of the ONNX file <paramref name="path"/> (given as <paramref name="option"/>) once its folder
    /// exists and takes a file: an error <see cref="ErrorCodes.OutputNotWritable"/> naming the reason otherwise, before any
    /// work is done.</summary>
    public static LanguageExt.Fin<string> CheckTarget(string path, string option)
    {
        if (string.IsNullOrWhiteSpace(path))
            return FinFail<string>(Error.New(ErrorCodes.InvalidConfig, $"{option} must name a file, e.g. {option} model.onnx."));
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            return FinFail<string>(Error.New(ErrorCodes.OutputNotWritable, $"cannot write the ONNX file '{full}': it is a folder. Name a file in it, e.g. {option} {Path.Combine(path, "model.onnx")}."));
        return OutputFolders.EnsureWritable(Path.GetDirectoryName(full)!, $"Choose another {option} path.")
            .Map(_ => full);
    }

    /// <summary>"path (FC-SMALL, 89,610 parameters: input [N, 1, 28, 28] → logits [N, 10], opset 13, 350 KiB)".</summary>
    public static string Summary(string path, NetworkDescription description) => string.Create(CultureInfo.InvariantCulture,
        $"{path} ({description.Name}, {description.ParameterCount:N0} parameters: {OnnxExport.InputName} [N, {string.Join(", ", description.Input.Dims)}] → " +
        $"{OnnxExport.OutputName} [N, {string.Join(", ", description.Output.Dims)}], opset {OnnxExport.Opset}, {new FileInfo(path).Length / 1024.0:F0} KiB)");
}
