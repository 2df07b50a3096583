using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Verification;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Laws;

/// <summary>
/// Exactness (soundness.md §12.2): without crossing neurons the domains that treat stable neurons exactly give the exact
/// range of the (then affine) network. Three forms:
/// <list type="bullet">
/// <item>ε = 0 (a point box): every domain except the loosened Boxes (they widen by design) and the diag-c variants
/// (they shift dead neurons) returns l = u = the concrete value at every ReLU input, every logit and every difference;</item>
/// <item>any ε: the first ReLU input (an affine image of the input box) is exact in every non-loosened domain;</item>
/// <item>ε small enough that no neuron's sign changes on the ball: the zonotope, hybrid and back-substitution domains
/// with exact stable-neuron rules (not zono-ibp or crown-ibp, whose IBP bounds may cross; not Box, exact for one affine
/// layer only; not the "-C" CROWN variants) give exactly z(c) ± |J|·r at every ReLU input and output, J the Jacobian
/// of the fixed activation pattern (back-substitution of an affine map over a box is exact). So that this is tested at
/// real widths and not only at the tiny radius a random network happens to leave (measured on the old generator: median
/// ε 0.0034 on networks with ≥ 10 ReLUs), the biases are first moved away from every kink by a margin proportional to the
/// case's ε (<see cref="ShiftBiasesForMargin"/>).</item>
/// </list>
/// </summary>
public static class ExactnessLaws
{
    /// <summary>The back-substitution variants whose stable-neuron lines are ReLU itself (dead 0, active x); the "-C"
    /// variants move a stable neuron's line (0-c: active lower l; 1-c: dead lower x; tria-c: dead upper x − l, active
    /// upper u) and crown-ibp's intermediate IBP bounds may cross where the exact range does not. Declared first: the
    /// lists below splice it in during static initialization.</summary>
    public static readonly string[] BackSubstitutionStableExact =
        ["deeppoly", "deeppoly:0", "deeppoly:1", "deeppoly:lower-tria", "deeppoly:upper-tria", "deeppoly:gamma=1", "deeppoly:gamma=5"];

    /// <summary>Domains exact on a point box.</summary>
    public static readonly string[] PointExact =
        ["box", "hbox", "hzono", "hdiag", "hswitch", "zono", "zbox", "zdiag", "zswitch", "zono-ibp", "zono:gamma=1", "zono:gamma=5", "hzono:gamma=1",
         .. BackSubstitutionStableExact, "crown-ibp"];

    /// <summary>Domains whose first ReLU input is exact for every ε (all but the loosened Boxes).</summary>
    public static readonly string[] FirstLayerExact =
        [.. PointExact, "hdiag-c", "zdiag-c", "deeppoly:0-c", "deeppoly:1-c", "deeppoly:lower-tria-c", "deeppoly:upper-tria-c"];

    /// <summary>Domains exact whenever no neuron crosses under their own bounds.</summary>
    public static readonly string[] StableExact =
        ["hbox", "hzono", "hdiag", "hswitch", "zono", "zbox", "zdiag", "zswitch", "zono:gamma=1", "hzono:gamma=1", .. BackSubstitutionStableExact];

    /// <summary>ε = 0 gives the concrete forward pass; and the first ReLU input is exact at the case's ε.</summary>
    public static void PointBoxAndFirstLayer(NetworkCase c)
    {
        using var scope = NewDisposeScope();
        using var net = c.CreateNetwork();
        using var _ = no_grad();
        var (x, y) = (c.Inputs(), c.Labels());
        var lin = Float64Reference.Linearize(net, x);
        var diffMatrix = Spec.DiffMatrix(y, (int)lin.Logits.shape[1]).to(float64);
        var differences = matmul(diffMatrix, lin.Logits.unsqueeze(2)).squeeze(2);
        foreach (var name in PointExact)
        {
            var domain = SoundnessLaw.Parse(name);
            var diffs = Verifier.Bounds(net, x, y, 0, domain, SpecKind.Diffs);
            var eye = Verifier.Bounds(net, x, y, 0, domain, SpecKind.Eye);
            string where = $"{name} at ε = 0 on {c}";
            for (int i = 0; i < lin.PreActivation.Count; i++)
            {
                Tolerance.Equal($"{where}: lower, ReLU input {i}", diffs.PreActivation[i].Lower.flatten(1), lin.PreActivation[i]);
                Tolerance.Equal($"{where}: upper, ReLU input {i}", diffs.PreActivation[i].Upper.flatten(1), lin.PreActivation[i]);
            }
            Tolerance.Equal($"{where}: logits lower", eye.Logits!.Lower, lin.Logits);
            Tolerance.Equal($"{where}: logits upper", eye.Logits!.Upper, lin.Logits);
            Tolerance.Equal($"{where}: merged diffs", diffs.DiffLower, differences);
        }

        if (lin.PreActivation.Count == 0) return;
        var (center, radius) = ClampedBox(x, c.Eps);
        var first = Float64Reference.Linearize(net, center);
        var (l0, u0) = Range(first.PreActivation[0], first.PreActivationJacobians[0], radius);
        foreach (var name in FirstLayerExact)
        {
            var pre = Verifier.Bounds(net, x, y, c.Eps, SoundnessLaw.Parse(name), SpecKind.Diffs).PreActivation[0];
            Tolerance.Equal($"{name} on {c}: lower, first ReLU input", pre.Lower.flatten(1), l0);
            Tolerance.Equal($"{name} on {c}: upper, first ReLU input", pre.Upper.flatten(1), u0);
        }
    }

    /// <summary>With every neuron stable on the ball, bounds equal the exact range (up to 3 examples per case). Each example
    /// gets its own copy of the case's network with the biases moved away from the kinks at that example
    /// (<see cref="ShiftBiasesForMargin"/> for radius c.Eps), and its own ε = min(c.Eps, ½ · min over neurons of
    /// |z_i(x)| / ‖∂z_i/∂x‖₁) on that network: the stability of every neuron is checked on the network actually bounded,
    /// not assumed from the construction. Returns the effective ε of each example (for the property's statistics).</summary>
    public static IReadOnlyList<double> StableNeurons(NetworkCase c)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (xs, ys) = (c.Inputs(), c.Labels());
        var used = new List<double>();
        for (long b = 0; b < Math.Min(3, c.Batch); b++)
        {
            var x = xs.narrow(0, b, 1);
            var y = ys.narrow(0, b, 1);
            using var net = c.CreateNetwork();
            ShiftBiasesForMargin(net, x, c.Eps);
            double eps = Math.Min(c.Eps, StableRadius(net, x));
            used.Add(eps);
            var (center, radius) = ClampedBox(x, eps);
            var lin = Float64Reference.Linearize(net, center);
            var logitJ = lin.LogitJacobian;
            var diffMatrix = Spec.DiffMatrix(y, (int)lin.Logits.shape[1]).to(float64);     // [1, K−1, K]
            var (ll, lu) = Range(lin.Logits, logitJ, radius);
            var (dl, _) = Range(matmul(diffMatrix, lin.Logits.unsqueeze(2)).squeeze(2), matmul(logitJ, diffMatrix.transpose(1, 2)), radius);
            foreach (var name in StableExact)
            {
                var domain = SoundnessLaw.Parse(name);
                var diffs = Verifier.Bounds(net, x, y, eps, domain, SpecKind.Diffs);
                var eye = Verifier.Bounds(net, x, y, eps, domain, SpecKind.Eye);
                string where = $"{name} at stable ε = {eps:R}, example {b} of {c} (biases shifted for margin at example {b})";
                for (int i = 0; i < lin.PreActivation.Count; i++)
                {
                    var (l, u) = Range(lin.PreActivation[i], lin.PreActivationJacobians[i], radius);
                    Tolerance.Equal($"{where}: lower, ReLU input {i}", diffs.PreActivation[i].Lower.flatten(1), l);
                    Tolerance.Equal($"{where}: upper, ReLU input {i}", diffs.PreActivation[i].Upper.flatten(1), u);
                }
                Tolerance.Equal($"{where}: logits lower", eye.Logits!.Lower, ll);
                Tolerance.Equal($"{where}: logits upper", eye.Logits!.Upper, lu);
                Tolerance.Equal($"{where}: merged diffs", diffs.DiffLower, dl);
            }
        }
        return used;
    }

    /// <summary>Margin factor of <see cref="ShiftBiasesForMargin"/>: 2 for <see cref="StableRadius"/>'s ½, and 0.1 % more so that
    /// the float32 rounding of a shifted bias does not bring the stable radius below the target.</summary>
    const double MarginFactor = 2 * 1.001;

    /// <summary>Moves the bias of every affine layer in front of a ReLU, layer by layer in order, so that at
    /// <paramref name="x"/> [1, …] every ReLU input z_i is at least <see cref="MarginFactor"/> · <paramref name="radius"/> ·
    /// ‖∂z_i/∂x‖₁ away from 0; then <see cref="StableRadius"/>(net, x) ≥ <paramref name="radius"/> (up to that rounding) and
    /// no neuron changes sign on the ball. A Dense neuron moves away from 0 on the side it is on (z = 0 counts as active);
    /// a Conv2d bias is per channel, so a channel with any active neuron becomes all active and one without stays all dead
    /// (measured on the pinned cases: 45 % of the Conv ReLUs active before, 72 % after; Dense 52 % before and after). Each
    /// layer's values are recomputed after the layers before it moved. Only biases change, so the network keeps its
    /// architecture and weights; a radius of 0 changes nothing.</summary>
    internal static void ShiftBiasesForMargin(NetworkModule net, Tensor x, double radius)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var layers = net.Description.Layers;
        int relu = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i].Declaration.Kind != LayerKind.ReLU) continue;
            var lin = Float64Reference.Linearize(net, x);
            var z = lin.PreActivation[relu][0];                                                  // [n]
            var need = lin.PreActivationJacobians[relu][0].abs().sum(dim: 0).mul(MarginFactor * radius); // [n]
            relu++;
            var affine = layers[i - 1];
            Tensor bias, shift;
            switch (affine.Declaration.Kind)
            {
                case LayerKind.Dense:
                    bias = net.DenseAt(affine.Index).Bias;
                    shift = where(z.ge(0), 1.0, -1.0).to(float64) * (need - z.abs()).clamp_min(0);
                    break;
                case LayerKind.Conv2d:
                    bias = net.Conv2dAt(affine.Index).Bias;
                    var (zc, nc) = (z.view(bias.shape[0], -1), need.view(bias.shape[0], -1));
                    var up = (nc - zc).amax(1).clamp_min(0);                                      // all active: z + s ≥ need
                    var down = (-nc - zc).amin(1).clamp_max(0);                                   // all dead: z + s ≤ −need
                    shift = where(zc.gt(0).any(1), up, down);                                     // keep the channel's signal if it has any
                    break;
                default:
                    throw new InvalidOperationException($"Layer {affine.Index} before the ReLU at {i} is {affine.Declaration.Kind}; the margin needs a Dense or Conv2d bias.");
            }
            bias.add_(shift.to(bias.dtype));
        }
    }

    /// <summary>½ · min_i |z_i(x)| / ‖∂z_i/∂x‖₁ over all ReLU inputs with a nonzero gradient: on the (unclamped) ball of
    /// that radius no neuron changes sign, so the network is one affine map there. 0.5 when there is no ReLU.</summary>
    internal static double StableRadius(NetworkModule net, Tensor x)
    {
        var lin = Float64Reference.Linearize(net, x);
        double radius = 0.5;
        for (int i = 0; i < lin.PreActivation.Count; i++)
        {
            var norm = lin.PreActivationJacobians[i].abs().sum(1);                    // [1, n_i]
            var margin = where(norm.gt(0), lin.PreActivation[i].abs() / norm.clamp_min(1e-300), full_like(norm, double.PositiveInfinity));
            radius = Math.Min(radius, 0.5 * margin.min().item<double>());
        }
        return radius;
    }

    /// <summary>Center and radius (float64) of the clamped ball, as the verifier forms it.</summary>
    internal static (Tensor Center, Tensor Radius) ClampedBox(Tensor x, double eps)
    {
        var x64 = x.to(float64);
        var lo = (x64 - eps).clamp_min(0);
        var hi = (x64 + eps).clamp_max(1);
        return ((lo + hi) / 2, (hi - lo) / 2);
    }

    /// <summary>Exact range of the affine map v + J(x' − c) over |x' − c| ≤ r: v ∓ |J|ᵀ r. v [B, n], J [B, n_in, n].</summary>
    internal static (Tensor Lower, Tensor Upper) Range(Tensor v, Tensor j, Tensor radius)
    {
        var spread = (j.abs() * radius.flatten(1).unsqueeze(2)).sum(1);
        return (v - spread, v + spread);
    }
}
