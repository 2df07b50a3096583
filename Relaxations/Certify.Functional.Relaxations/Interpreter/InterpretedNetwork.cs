using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Concrete;
using LanguageExt;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Interpreter;

/// <summary>
/// A network built at run time from a <see cref="NetworkDescription"/> (for example one read from JSON by
/// <see cref="NetworkJson"/>). Same parameters and names as a declared network of the same architecture; its
/// forward pass is the interpreter's walk through the concrete table, the modules the generated code calls.
/// </summary>
public sealed class InterpretedNetwork : NetworkModule
{
    readonly InterpretedWalk walk;

    /// <summary>Builds the layers with PyTorch's default initialization.</summary>
    public InterpretedNetwork(NetworkDescription description) : base(description) => walk = new InterpretedWalk(this);

    /// <summary>A network of <paramref name="description"/> holding <paramref name="parameters"/> (an imported network's, e.g.
    /// from ONNX): every tensor of the module's state dict must be given, by its name (<c>layers.{i}.weight|bias</c>,
    /// <c>layers.{i}.mean|sigma</c>), with the module's shape; no other key. <paramref name="source"/> names the origin in
    /// errors (<see cref="Certify.Functional.Errors.ErrorCodes.MissingParameter"/>, <c>ParameterShape</c>,
    /// <c>UnexpectedParameter</c>). The tensors are copied.</summary>
    public static Fin<InterpretedNetwork> FromParameters(NetworkDescription description, IReadOnlyDictionary<string, Tensor> parameters, string source)
    {
        var network = new InterpretedNetwork(description);
        return StateDict.Copy(network, parameters, source).Match(
            Succ: _ => Prelude.FinSucc(network),
            Fail: e =>
            {
                network.Dispose();
                return Prelude.FinFail<InterpretedNetwork>(e);
            });
    }

    /// <summary>Logits for a batch of pixel-space inputs [B, …input shape] (values in [0, 1]).</summary>
    public override Tensor forward(Tensor input)
    {
        var x = walk.Propagate<ConcreteRelaxations, Tensor, Unit>(input, default, spec: null).Output;
        return ReferenceEquals(x, input) ? input.alias() : x;
    }
}
