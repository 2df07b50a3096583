using Certify.Functional.Runtime;
using Certify.Functional.Errors;
using Google.Protobuf;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Functional.Onnx;

/// <summary>
/// Reads an ONNX model (optionally gzip-compressed) into the project's layer vocabulary — Normalize, Flatten, Dense,
/// Conv2d, ReLU — and its weights (docs/onnx.md). The graph must be a chain of the supported operators
/// (<see cref="SupportedOps"/>) from one input to one output; anything else is one <see cref="ErrorCodes.OnnxUnsupported"/>
/// line naming the node, its operator and the supported list, and bytes that are not an ONNX model are one
/// <see cref="ErrorCodes.OnnxUnreadable"/> line naming the file.
/// </summary>
public static class OnnxImport
{
    /// <summary>The operators the importer maps onto the project's layers.</summary>
    public static IReadOnlyList<string> SupportedOps { get; } =
        ["Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Conv", "Flatten", "Reshape", "Transpose", "Constant", "Identity"];

    /// <summary>The default-domain opset versions accepted (7, where numpy-style broadcasting starts — the ACAS Xu files of
    /// VNN-COMP are opset 8 — to 17).</summary>
    public const int MinOpset = 7, MaxOpset = 17;

    /// <summary>Reads <paramref name="path"/> (plain or gzip, told by its first bytes, not its name).</summary>
    public static Fin<ImportedNetwork> Load(string path)
    {
        if (!File.Exists(path))
            return FinFail<ImportedNetwork>(Error.New(ErrorCodes.MissingFile, $"ONNX file '{path}' does not exist."));
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return FinFail<ImportedNetwork>(Error.New(ErrorCodes.OnnxUnreadable, $"ONNX file '{path}' cannot be read: {e.Message}"));
        }
        return Parse(bytes, path);
    }

    /// <summary>Imports the model in <paramref name="bytes"/> (plain or gzip); <paramref name="source"/> names it in errors and
    /// gives the network its name (the file name without .onnx/.gz).</summary>
    public static Fin<ImportedNetwork> Parse(byte[] bytes, string source)
    {
        string file = Path.GetFileName(source);
        Error Unreadable(string why) => Error.New(ErrorCodes.OnnxUnreadable,
            $"ONNX file '{source}' cannot be read: {why}. Expected an ONNX model (ModelProto), optionally gzip-compressed.");

        bool gzip = Gzip.IsGzip(bytes);
        if (gzip)
        {
            try
            {
                bytes = Gzip.Inflate(bytes);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or EndOfStreamException)
            {
                return FinFail<ImportedNetwork>(Unreadable($"its gzip stream is damaged or truncated ({e.Message})"));
            }
        }
        if (bytes.Length == 0) return FinFail<ImportedNetwork>(Unreadable(gzip ? "it decompresses to 0 bytes" : "it is empty (0 bytes)"));

        global::Onnx.ModelProto model;
        try { model = global::Onnx.ModelProto.Parser.ParseFrom(bytes); }
        catch (InvalidProtocolBufferException e)
        {
            return FinFail<ImportedNetwork>(Unreadable($"the protobuf data is damaged or truncated ({e.Message.TrimEnd('.')})"));
        }
        if (model.Graph is null || model.Graph.Node.Count == 0 || model.Graph.Input.Count == 0 || model.Graph.Output.Count == 0)
            return FinFail<ImportedNetwork>(Unreadable("it holds no graph with inputs, nodes and outputs"));
        if (model.OpsetImport.Count == 0)
            return FinFail<ImportedNetwork>(Unreadable("it declares no opset (opset_import is empty; truncated?)"));

        var opset = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx");
        if (opset is null || opset.Version < MinOpset || opset.Version > MaxOpset)
            return FinFail<ImportedNetwork>(Error.New(ErrorCodes.OnnxUnsupported,
                $"ONNX file '{source}': opset {(opset is null ? "(none of the default domain)" : opset.Version.ToString(System.Globalization.CultureInfo.InvariantCulture))} is not supported; expected the default domain at version {MinOpset}–{MaxOpset}."));

        string name = StripExtensions(file);
        try { return FinSucc(GraphImport.Run(model.Graph, source, name)); }
        catch (OnnxImportException e) { return FinFail<ImportedNetwork>(Error.New(e.Code, e.Message)); }
    }

    static string StripExtensions(string file)
    {
        foreach (var ext in new[] { ".gz", ".onnx" })
            if (file.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) file = file[..^ext.Length];
        return file.Length == 0 ? "onnx" : file;
    }

    /// <summary>True when <paramref name="path"/> names an ONNX file by its extension (<c>.onnx</c> or <c>.onnx.gz</c>): how
    /// the command line tells an ONNX model from a PyTorch state dict.</summary>
    public static bool IsOnnxPath(string path) =>
        path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".onnx.gz", StringComparison.OrdinalIgnoreCase);
}

/// <summary>An import failure inside the graph walk, turned into a <see cref="Fin{A}"/> error at <see cref="OnnxImport.Parse"/>.</summary>
sealed class OnnxImportException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;
}
