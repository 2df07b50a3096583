using Certify.Functional.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Certify.Functional.Networks;

/// <summary>
/// The TorchSharp module behind every network, declared (generated subclasses) or loaded (the interpreter).
/// Its parameters follow the reference layout: a <c>layers</c> list where layer <c>i</c> owns
/// <c>layers.{i}.weight|bias</c> (Dense, Conv2d) or the buffers <c>layers.{i}.mean|sigma</c> (Normalize), so
/// the paper's PyTorch state dicts load unchanged. Subclasses provide <c>forward</c>; the layer accessors
/// (<see cref="DenseAt"/>, …) hand the relaxation modules views of the parameters.
/// </summary>
public abstract class NetworkModule : nn.Module<Tensor, Tensor>
{
    readonly ModuleList<nn.Module> layers;

    /// <summary>Builds the layers of <paramref name="description"/> with PyTorch's default initialization
    /// (kaiming-uniform(a=√5) weights, U(±1/√fan_in) biases), on the CPU; call <c>to(device)</c> to move.</summary>
    protected NetworkModule(NetworkDescription description) : base(description.Name)
    {
        Description = description;
        layers = nn.ModuleList(description.Layers.Select(CreateModule).ToArray());
        RegisterComponents();
    }

    /// <summary>The architecture: layers, shapes, parameter count.</summary>
    public NetworkDescription Description { get; }

    static nn.Module CreateModule(ResolvedLayer layer) => layer.Declaration switch
    {
        NormalizeDeclaration n => new NormalizationModule(n.Mean, n.Std),
        FlattenDeclaration => nn.Flatten(),
        ReluDeclaration => nn.ReLU(),
        DenseDeclaration d => nn.Linear(layer.Input.Size, d.OutFeatures),
        Conv2dDeclaration c => nn.Conv2d(layer.Input.Dims[0], c.OutChannels, c.Kernel, stride: c.Stride, padding: c.Padding),
        _ => throw new ArgumentException($"Layer {layer.Index}: unknown layer kind {layer.Declaration.Kind}."),
    };

    /// <summary>The module of layer <paramref name="index"/>.</summary>
    public nn.Module LayerModule(int index) => layers[index];

    /// <summary>Layer <paramref name="index"/> as a Dense value (borrowed parameter tensors).</summary>
    public Dense DenseAt(int index) =>
        layers[index] is Linear l ? new Dense(l.weight!, l.bias!) : throw WrongKind(index, "Dense");

    /// <summary>Layer <paramref name="index"/> as a Conv2d value (borrowed parameter tensors).</summary>
    public Layers.Conv2d Conv2dAt(int index) =>
        layers[index] is TorchSharp.Modules.Conv2d c && Description.Layers[index].Declaration is Conv2dDeclaration d
            ? new Layers.Conv2d(c.weight!, c.bias!, d.Stride, d.Padding)
            : throw WrongKind(index, "Conv2d");

    /// <summary>Layer <paramref name="index"/> as a Normalize value (borrowed buffers).</summary>
    public Normalize NormalizeAt(int index) =>
        layers[index] is NormalizationModule n ? new Normalize(n.Mean, n.Sigma) : throw WrongKind(index, "Normalize");

    /// <summary>Every Normalization layer of the network (usually one, at index 0).</summary>
    public IEnumerable<NormalizationModule> Normalizations => layers.OfType<NormalizationModule>();

    InvalidOperationException WrongKind(int index, string expected) =>
        new($"Network '{Description.Name}': layer {index} is {Description.Layers[index].Declaration.Kind}, not {expected}.");

    /// <summary>Names of the weight tensors (Dense and Conv2d <c>weight</c>s), e.g. for an L1 penalty.</summary>
    public IEnumerable<Tensor> WeightTensors =>
        named_parameters().Where(p => p.name.EndsWith(".weight", StringComparison.Ordinal)).Select(p => p.parameter);
}
