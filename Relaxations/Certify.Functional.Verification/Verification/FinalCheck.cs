using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Bab;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Verification.Triangle;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Verification;

/// <summary>
/// The last word on a certificate: a float32 lower bound above 0 is not yet a proof, because float32 rounding can put
/// a bound above the true minimum (seen: a 2-class network with zero biases whose exact minimum margin over the box
/// is 0, certified by DeepZ with a lower bound of +1.49e-8). An a-priori float32 error bound (<see cref="DifferenceMargin"/>
/// in float32) is far too large to use on trained networks (the logits' absolute magnitude M is 10³–10⁵ on the paper's
/// FC networks, so the margin would exceed most bounds), so the examples the float32 bounds certify — as computed,
/// without that margin (<see cref="SpecBounds.DiffLowerAsComputed"/>): a candidate filter, not a proof — are checked
/// again in float64: the same domain on a float64 copy of the network, certified only where every float64 lower bound
/// exceeds its own rounding margin (<see cref="DifferenceMargin"/> in float64, 10⁻⁷ or less on the paper's networks).
/// With the per-logit specification the float64 differences come rounded outward by that margin already
/// (<see cref="Verifier"/>), so they need only be &gt; 0: the same decision, l_y − u_j &gt; margin, without computing the
/// margin twice.
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

    /// <summary>Certified flags [B] (bool): every float32 lower bound in <paramref name="lower32"/> [B, K−1] (as computed,
    /// <see cref="SpecBounds.DiffLowerAsComputed"/>) is &gt; 0 and, for those examples, every float64 lower bound of
    /// <paramref name="domain"/> on <paramref name="float64Net"/> exceeds its rounding margin. Runs without gradients.</summary>
    public static Tensor Certified(NetworkModule float64Net, Tensor x, Tensor y, double eps, Domain domain, SpecKind kind, Tensor lower32)
    {
        using var _ = no_grad();
        var candidates = lower32.gt(0).all(1);
        var rows = candidates.nonzero().flatten();
        if (rows.shape[0] == 0) return candidates;
        var x64 = x.index_select(0, rows).to(ScalarType.Float64);
        var y64 = y.index_select(0, rows);
        Tensor confirmed;
        if (domain is TriangleLpDomain or BabDomain)                    // solved in float64 already: no second solve
            confirmed = lower32.index_select(0, rows).to(ScalarType.Float64).gt(DifferenceMargin.Of(float64Net, x64, y64, eps)).all(1);
        else
        {
            var bounds64 = Verifier.Bounds(float64Net, x64, y64, eps, domain, kind);
            confirmed = bounds64.Unrounded is null
                ? bounds64.DiffLower.gt(DifferenceMargin.Of(float64Net, x64, y64, eps)).all(1)
                : bounds64.DiffLower.gt(0).all(1);                      // per-logit: rounded outward by the margin already
        }
        return candidates.clone().index_put_(confirmed, rows);
    }
}
