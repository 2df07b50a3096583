using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.DeepPoly;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Relaxations.Shared;
using Certify.Functional.Verification.Triangle;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Verification;

/// <summary>
/// The last word on a certificate: a float32 lower bound above 0 is not yet a proof, because float32 rounding can put
/// a bound above the true minimum (seen: a 2-class network with zero biases whose exact minimum margin over the box
/// is 0, certified by DeepZ with a lower bound of +1.49e-8). An a-priori float32 error bound (γ_N·M, as in
/// <see cref="RoundingMargin"/>) is far too large to use on trained networks (the logits' absolute magnitude M is
/// 10³–10⁵ on the paper's FC networks, so the margin would exceed most bounds), so the examples the float32 bounds
/// certify are checked again in float64: the same domain on a float64 copy of the network, certified only where every
/// float64 lower bound exceeds its own rounding margin γ_N·2^(k+1)·(M_y + M_j) in float64 (u = 2⁻⁵³; N the
/// accumulations along the network plus the concretization's sum over the input and every ReLU neuron; k the number of
/// ReLU layers, 2^(k+1) covering the zonotope generators' growth at each ReLU; 10⁻⁷ or less on the paper's networks).
/// <para>The exact Triangle LP is solved in float64 already (GLOP): its bounds are held to the same float64 margin
/// without a second solve.</para>
/// </summary>
public static class FinalCheck
{
    /// <summary>A float64 copy of <paramref name="net"/> (interpreted: the same relaxation modules), in eval mode, on
    /// <paramref name="device"/>. The caller disposes it.</summary>
    public static NetworkModule Float64Copy(NetworkModule net, Device device)
    {
        var copy = new InterpretedNetwork(net.Description);
        using (no_grad())
        {
            var source = net.state_dict();
            foreach (var (name, tensor) in copy.state_dict())
                tensor.copy_(source[name].to(tensor.dtype, tensor.device));
        }
        copy.to(ScalarType.Float64).to(device);
        copy.eval();
        return copy;
    }

    /// <summary>Certified flags [B] (bool): every float32 lower bound in <paramref name="lower32"/> [B, K−1] is &gt; 0
    /// and, for those examples, every float64 lower bound of <paramref name="domain"/> on <paramref name="float64Net"/>
    /// exceeds its rounding margin. Runs without gradients.</summary>
    public static Tensor Certified(NetworkModule float64Net, Tensor x, Tensor y, double eps, Domain domain, SpecKind kind, Tensor lower32)
    {
        using var _ = no_grad();
        var candidates = lower32.gt(0).all(1);
        var rows = candidates.nonzero().flatten();
        if (rows.shape[0] == 0) return candidates;
        var x64 = x.index_select(0, rows).to(ScalarType.Float64);
        var y64 = y.index_select(0, rows);
        var lower64 = domain is TriangleLpDomain
            ? lower32.index_select(0, rows).to(ScalarType.Float64)
            : Verifier.Bounds(float64Net, x64, y64, eps, domain, kind).DiffLower;
        var confirmed = lower64.gt(Margin(float64Net, x64, y64, eps)).all(1);
        return candidates.clone().index_put_(confirmed, rows);
    }

    /// <summary>The float64 rounding margin of every lower bound of z_y − z_j (j ≠ y, increasing j) over the clamped
    /// ball: [B, K−1].</summary>
    public static Tensor Margin(NetworkModule net, Tensor x, Tensor y, double eps)
    {
        var (lo, hi) = InputRegion.Corners(x, eps);
        var margins = new List<Tensor>();
        var m = RoundingMargin.Output(LayerWalk.For(net), lo, hi, margins);
        long neurons = x[0].numel() + net.Description.Layers.Where(l => l.Declaration.Kind == LayerKind.ReLU).Sum(l => l.Output.Size);
        double u = RoundingMargin.Unit(ScalarType.Float64), n = m.Accumulations + neurons + 4;
        double gamma = n * u / (1 - n * u) * Math.Pow(2, margins.Count + 1);
        var logits = m.Value.flatten(1);                                                       // [B, K]
        var others = Spec.OtherClasses(y, (int)logits.shape[1]);
        return (logits.gather(1, y.unsqueeze(1)) + logits.gather(1, others)) * gamma;
    }
}
