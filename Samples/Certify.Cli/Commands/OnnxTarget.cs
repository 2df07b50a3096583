namespace Certify.Cli.Commands;

/// <summary>Where <c>train --export-onnx</c> writes: the given file, or <c>model.onnx</c> in the run folder.</summary>
/// <param name="Path">The file given, or null for the default.</param>
public sealed record OnnxTarget(string? Path)
{
    /// <summary>The file for the run folder <paramref name="outDir"/>.</summary>
    public string For(string outDir) => Path ?? System.IO.Path.Combine(outDir, "model.onnx");
}
