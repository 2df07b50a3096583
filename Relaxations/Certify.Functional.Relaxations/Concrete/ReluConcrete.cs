using Certify.Functional.Layers;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Concrete;

/// <summary>Concrete domain, ReLU: max(x, 0) elementwise.</summary>
public static class ReluConcrete
{
    /// <summary>The image of <paramref name="x"/> under <paramref name="layer"/>.</summary>
    public static Tensor Propagate(Relu layer, Tensor x) => nn.functional.relu(x);
}
