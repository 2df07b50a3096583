using System.Text;
using Certify.Functional.Errors;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Functional.VnnLib;

/// <summary>
/// Reads VNN-LIB properties, the VNN-COMP subset (docs/vnnlib.md): <c>(declare-const X_i Real)</c>,
/// <c>(declare-const Y_i Real)</c> and <c>(assert …)</c> with <c>and</c>, <c>or</c> and the comparisons <c>&lt;=</c>,
/// <c>&gt;=</c>, <c>&lt;</c>, <c>&gt;</c> between linear expressions (<c>+</c>, <c>-</c>, <c>*</c> by a constant).
/// Inputs must be bounded one at a time; output constraints are linear over Y. Every failure is one line,
/// "file:line:column: message".
/// </summary>
/// <remarks>From inside a namespace <c>Certify.Functional.*</c> the name <c>VnnLib</c> means this namespace; write
/// <c>VnnLib.VnnLibReader.Parse</c> there (or alias the class).</remarks>
public static class VnnLibReader
{
    /// <summary>Parses a property; <paramref name="source"/> names it in messages.</summary>
    public static Fin<VnnLibProperty> Parse(string text, string source)
    {
        try { return FinSucc(VnnLibParser.Parse(text, source)); }
        catch (VnnLibFailure failure) { return FinFail<VnnLibProperty>(failure.Error); }
    }

    /// <summary>Reads and parses a file, gunzipping it when it starts with the gzip magic bytes (whatever its name).</summary>
    public static Fin<VnnLibProperty> Load(string path)
    {
        if (!File.Exists(path))
            return FinFail<VnnLibProperty>(Error.New(ErrorCodes.MissingFile,
                $"VNN-LIB file '{path}' does not exist. Expected a .vnnlib file (or a gzip-compressed one)."));
        string text;
        try
        {
            byte[] bytes = Runtime.Gzip.Inflate(File.ReadAllBytes(path));
            text = new UTF8Encoding(false, true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or DecoderFallbackException)
        {
            return FinFail<VnnLibProperty>(Error.New(ErrorCodes.UnreadableFile,
                $"VNN-LIB file '{path}' cannot be read: {ex.Message} Expected UTF-8 text, plain or gzip-compressed."));
        }
        return Parse(text, path);
    }

    /// <summary>The property when its variables fit a network with <paramref name="networkInputs"/> inputs and
    /// <paramref name="networkOutputs"/> outputs; otherwise <see cref="ErrorCodes.VnnLibMismatch"/> naming both counts.</summary>
    public static Fin<VnnLibProperty> Check(VnnLibProperty p, long networkInputs, long networkOutputs)
    {
        if (p.InputCount == networkInputs && p.OutputCount == networkOutputs) return FinSucc(p);
        return FinFail<VnnLibProperty>(Error.New(ErrorCodes.VnnLibMismatch,
            $"VNN-LIB property {p.Source} declares {p.InputCount} inputs (X_0 … X_{p.InputCount - 1}) and {p.OutputCount} outputs " +
            $"(Y_0 … Y_{p.OutputCount - 1}), but the network has {networkInputs} inputs and {networkOutputs} outputs. " +
            "Fix: use the property written for this network."));
    }
}
