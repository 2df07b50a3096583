using Certify.Functional.Layers;
using Certify.Functional.Networks;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Arbitraries;

/// <summary>The concrete network in float64, computed layer by layer from the float32 parameters (converted with
/// <c>.to(float64)</c>), independent of the relaxation modules: the reference the bounds are checked against.</summary>
public static class Float64Reference
{
    /// <summary>Values at every ReLU input ([N, n_i], flattened, in layer order) and the logits [N, K].</summary>
    public sealed record Trace(IReadOnlyList<Tensor> PreActivation, Tensor Logits);

    /// <summary>A trace with forward-mode derivatives: <c>Jacobians[i]</c> [B, n_in, n_i] = ∂z_i/∂x at the point.</summary>
    public sealed record LinearTrace(IReadOnlyList<Tensor> PreActivation, IReadOnlyList<Tensor> PreActivationJacobians, Tensor Logits, Tensor LogitJacobian);

    /// <summary>Runs <paramref name="x"/> [N, …input] (any dtype; converted to float64) through the network.</summary>
    public static Trace Forward(NetworkModule net, Tensor x)
    {
        var pre = new List<Tensor>();
        var v = x.to(float64);
        foreach (var layer in net.Description.Layers)
        {
            if (layer.Declaration.Kind == LayerKind.ReLU)
            {
                pre.Add(v.flatten(1));
                v = v.relu();
            }
            else v = Apply(net, layer, v, bias: true);
        }
        return new Trace(pre, v.flatten(1));
    }

    /// <summary>The trace at <paramref name="x"/> [B, …input] with the Jacobian of every recorded value with respect
    /// to the input, for the activation pattern at <paramref name="x"/> (ReLU derivative 1 where the input is &gt; 0).</summary>
    public static LinearTrace Linearize(NetworkModule net, Tensor x)
    {
        long b = x.shape[0];
        long n = x[0].numel();
        var v = x.to(float64);
        // J [B·n, …]: row (b, k) is ∂v_b/∂x_k, starting from the identity per example.
        var j = eye(n, dtype: float64).unsqueeze(0).expand(b, n, n).reshape([b * n, .. x.shape[1..]]);
        var pre = new List<Tensor>();
        var jac = new List<Tensor>();
        foreach (var layer in net.Description.Layers)
        {
            if (layer.Declaration.Kind == LayerKind.ReLU)
            {
                pre.Add(v.flatten(1));
                jac.Add(j.reshape(b, n, -1));
                var mask = v.gt(0).to(float64);
                j = (j.reshape([b, n, .. v.shape[1..]]) * mask.unsqueeze(1)).reshape([b * n, .. v.shape[1..]]);
                v = v.relu();
            }
            else
            {
                v = Apply(net, layer, v, bias: true);
                j = Apply(net, layer, j, bias: false);
            }
        }
        return new LinearTrace(pre, jac, v.flatten(1), j.reshape(b, n, -1));
    }

    // One non-ReLU layer in float64; without bias (and mean) it is the linear part, for derivatives.
    static Tensor Apply(NetworkModule net, ResolvedLayer layer, Tensor v, bool bias)
    {
        switch (layer.Declaration.Kind)
        {
            case LayerKind.Normalize:
            {
                var n = net.NormalizeAt(layer.Index);
                var shape = Enumerable.Repeat(1L, (int)v.dim()).ToArray();
                shape[1] = n.Mean.shape[0];
                var sigma = n.Sigma.to(float64).view(shape);
                return bias ? (v - n.Mean.to(float64).view(shape)) / sigma : v / sigma;
            }
            case LayerKind.Flatten:
                return v.flatten(1);
            case LayerKind.Dense:
            {
                var d = net.DenseAt(layer.Index);
                return nn.functional.linear(v, d.Weight.to(float64), bias ? d.Bias.to(float64) : null);
            }
            case LayerKind.Conv2d:
            {
                var c = net.Conv2dAt(layer.Index);
                return nn.functional.conv2d(v, c.Weight.to(float64), bias ? c.Bias.to(float64) : null,
                    strides: [c.Stride, c.Stride], padding: [c.Padding, c.Padding]);
            }
            default:
                throw new InvalidOperationException($"Layer {layer.Index}: no float64 reference for {layer.Declaration.Kind}.");
        }
    }
}
