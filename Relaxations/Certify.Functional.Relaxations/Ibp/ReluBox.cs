using Certify.Functional.Layers;
using static TorchSharp.torch;
using Certify.Functional.Bounds;

namespace Certify.Functional.Relaxations.Ibp;

/// <summary>IBP, ReLU (relaxations.md §3.4): [relu(l), relu(u)]. Sound and exact per neuron because ReLU is monotone.</summary>
public static class ReluBox
{
    /// <summary>The image of <paramref name="x"/> under <paramref name="layer"/>.</summary>
    public static Box Propagate(Relu layer, Box x)
    {
        // In place on fresh temporaries: fewer allocations on the hot path of Box training; autograd-safe because
        // add/sub do not keep their outputs and relu_ keeps only its own (unmodified afterwards). Center (l + u)/2 as one
        // lerp, radius u − center: six operations where Box training pays for each one twice (forward and backward).
        var l = (x.Center - x.Radius).relu_();
        var u = (x.Center + x.Radius).relu_();
        var center = lerp(l, u, 0.5);
        return new(center, u - center);
    }
}
