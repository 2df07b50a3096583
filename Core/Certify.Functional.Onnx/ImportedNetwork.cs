using Certify.Functional.Errors;
using Certify.Functional.Layers;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;
using static TorchSharp.torch;

namespace Certify.Functional.Onnx;

/// <summary>A network read from an ONNX file (<see cref="OnnxImport"/>): its description in the project's layer vocabulary
/// and its parameters under the state-dict names the interpreter's module has (<c>layers.{i}.weight|bias</c> of Dense
/// [out, in] and Conv2d [out, in, k, k], <c>layers.{i}.mean|sigma</c> of Normalize), float32 on the CPU.</summary>
/// <param name="Description">The architecture; its input is [N] for a network without convolutions (whatever the ONNX input's
/// rank: the ops before the first Dense are elementwise, so a leading flatten changes nothing) and [C, H, W] otherwise.</param>
/// <param name="Parameters">Every tensor of the module's state dict, by name.</param>
/// <param name="InputName">The ONNX graph's input (the one without an initializer).</param>
/// <param name="InputShape">The ONNX input's shape as the file gives it (a symbolic batch dimension as 1), e.g. [1, 784, 1],
/// [1, 1, 1, 5], [1] or [1, 3, 32, 32]: what ONNX Runtime is fed.</param>
/// <param name="OutputName">The ONNX graph's output.</param>
public sealed record ImportedNetwork(NetworkDescription Description, IReadOnlyDictionary<string, Tensor> Parameters, string InputName,
    long[] InputShape, string OutputName)
{
    /// <summary>The network for examples of shape <paramref name="input"/>: itself when its description takes that shape; for a
    /// flat network ([N]) and an input of N values of another shape (an MNIST image [1, 28, 28] and a network of 784 inputs),
    /// the same network behind a leading Flatten (its layers and parameters renumbered by one). Otherwise a
    /// <see cref="ErrorCodes.ShapeMismatch"/> naming <paramref name="source"/>.</summary>
    public Fin<ImportedNetwork> ForInput(Shape input, string source)
    {
        if (Description.Input.Equals(input)) return FinSucc(this);
        if (!Description.Input.IsFlat || Description.Input.Size != input.Size)
            return FinFail<ImportedNetwork>(Error.New(ErrorCodes.ShapeMismatch,
                $"Network '{source}' expects inputs {Description.Input}, but the data has {input}."));
        var layers = Description.Layers.Select(l => l.Declaration).Prepend(new FlattenDeclaration());
        return NetworkDescription.Build(Description.Name, input, layers).Match(
            Succ: d => FinSucc(this with
            {
                Description = d,
                Parameters = Parameters.ToDictionary(p => Renumbered(p.Key), p => p.Value),
            }),
            Fail: errors => FinFail<ImportedNetwork>(Error.New(ErrorCodes.ShapeMismatch,
                $"Network '{source}' cannot take inputs {input}: {string.Join(" ", errors.Select(e => e.Message))}")));
    }

    /// <summary>True when <paramref name="other"/> has the same layers as this network: kinds, hyper-parameters and shapes;
    /// Normalize layers are compared by their shapes only (their constants are the model's data, and a network exported in
    /// float32 holds them rounded).</summary>
    public bool HasArchitectureOf(NetworkDescription other) =>
        other.Input.Equals(Description.Input) && other.Layers.Count == Description.Layers.Count
        && other.Layers.Zip(Description.Layers, SameLayer).All(same => same);

    static bool SameLayer(ResolvedLayer x, ResolvedLayer y) =>
        x.Input.Equals(y.Input) && x.Output.Equals(y.Output)
        && (x.Declaration is NormalizeDeclaration a && y.Declaration is NormalizeDeclaration b ? a.Mean.Count == b.Mean.Count : x.Declaration.Equals(y.Declaration));

    /// <summary>One line of the layers, e.g. "Dense 784→256 · ReLU 256→256 · Dense 256→10".</summary>
    public static string Summary(NetworkDescription d) => string.Join(" · ", d.Layers.Select(l => l.ToString()));

    // "layers.3.weight" → "layers.4.weight".
    static string Renumbered(string key)
    {
        var parts = key.Split('.');
        return $"{parts[0]}.{int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) + 1}.{parts[2]}";
    }
}
