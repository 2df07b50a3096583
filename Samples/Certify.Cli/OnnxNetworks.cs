using Certify.Functional.Networks;
using Certify.Functional.Onnx;
using Certify.Functional.Relaxations.Interpreter;
using LanguageExt;

namespace Certify.Cli;

/// <summary>An ONNX file as a runnable network: imported (<see cref="OnnxImport"/>), interpreted with the same relaxation
/// modules as every other network loaded from a file, in eval mode on the CPU. The caller disposes it.</summary>
static class OnnxNetworks
{
    /// <summary>The network of <paramref name="path"/> (.onnx or .onnx.gz), or why it cannot be imported.</summary>
    public static Fin<NetworkModule> Load(string path) =>
        OnnxImport.Load(path).Bind(imported =>
        {
            try { return InterpretedNetwork.FromParameters(imported.Description, imported.Parameters, path).Map(n => { n.eval(); return (NetworkModule)n; }); }
            finally { foreach (var t in imported.Parameters.Values) t.Dispose(); }
        });
}
