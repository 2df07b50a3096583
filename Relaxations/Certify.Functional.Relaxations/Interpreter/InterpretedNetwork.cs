using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Concrete;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Interpreter;

/// <summary>
/// A network built at run time from a <see cref="NetworkDescription"/> (for example one read from JSON by
/// <see cref="NetworkJson"/>). Same parameters and names as a declared network of the same architecture; its
/// forward pass walks the layer list and calls the same relaxation modules the generated code calls.
/// </summary>
public sealed class InterpretedNetwork : NetworkModule
{
    /// <summary>Builds the layers with PyTorch's default initialization.</summary>
    public InterpretedNetwork(NetworkDescription description) : base(description) { }

    /// <summary>Logits for a batch of pixel-space inputs [B, …input shape] (values in [0, 1]).</summary>
    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var layer in Description.Layers)
        {
            x = layer.Declaration.Kind switch
            {
                LayerKind.Normalize => NormalizeConcrete.Propagate(NormalizeAt(layer.Index), x),
                LayerKind.Flatten => FlattenConcrete.Propagate(Flatten.Instance, x),
                LayerKind.Dense => DenseConcrete.Propagate(DenseAt(layer.Index), x),
                LayerKind.Conv2d => Conv2dConcrete.Propagate(Conv2dAt(layer.Index), x),
                LayerKind.ReLU => ReluConcrete.Propagate(Relu.Instance, x),
                _ => throw new InvalidOperationException($"Layer {layer.Index}: no concrete module for {layer.Declaration.Kind}."),
            };
        }
        return ReferenceEquals(x, input) ? input.alias() : x;
    }
}
