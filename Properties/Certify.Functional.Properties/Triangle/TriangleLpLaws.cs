using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Properties.Laws;
using Certify.Functional.Relaxations.DeepPoly;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Relaxations.Shared;
using Certify.Functional.Verification.Triangle;
using Certify.Functional.Verification;
using FsCheck;
using FsCheck.Fluent;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Triangle;

/// <summary>Small Dense networks for the LP laws: 1–3 Dense layers (0–2 hidden, widths 1–10), 1–8 inputs, 2–6 classes,
/// optional Normalize, PyTorch default init ×1 or ×2, ε ∈ (0, 0.5] on a 1e-3 grid, 2–4 examples.</summary>
public static class TriangleArbitraries
{
    /// <summary>Registered with <c>[Properties(Arbitrary = …)]</c>.</summary>
    public static Arbitrary<NetworkCase> Cases() => Arb.From(
        from inputs in Gen.Choose(1, 8)
        from depth in Gen.Choose(0, 2)
        from hidden in Gen.ArrayOf(Gen.Choose(1, 10), depth)
        from classes in Gen.Choose(2, 6)
        from normalize in Gen.Elements(false, true)
        from seed in Gen.Choose(0, int.MaxValue)
        from scale in Gen.Elements(1.0, 2.0)
        from eps in Gen.Choose(1, 500).Select(k => k / 1000.0)
        from batch in Gen.Choose(2, 4)
        from labels in Gen.ArrayOf(Gen.Choose(0, classes - 1), batch)
        select new NetworkCase(new Architecture(Shape.Of(inputs),
            [.. normalize ? new LayerDeclaration[] { new NormalizeDeclaration([0.1307], [0.3081]) } : [],
             .. hidden.SelectMany(w => new LayerDeclaration[] { new DenseDeclaration(w), new ReluDeclaration() }), new DenseDeclaration(classes)]),
            seed, scale, eps, batch, labels),
        c => NetworkArbitraries.Shrink(c).Where(s => s.Eps > 0));
}

/// <summary>
/// The laws of the exact Triangle LP (relaxations.md §3.11, soundness.md §12.2): soundness at every layer and for the specification; at least
/// as tight as CROWN with its own and with random fixed lower slopes (final specification) and as Box and CROWN at
/// every intermediate layer; exact without crossing neurons; the first-layer closed form and the skip-stable option
/// change nothing they should not.
/// </summary>
public static class TriangleLpLaws
{
    /// <summary>Points of the box lie inside the LP bounds at every ReLU input, every merged difference and every logit;
    /// solving the first layer by LP gives the closed form's bounds; skip-stable gives the same specification bounds.</summary>
    public static void Sound(NetworkCase c)
    {
        using var scope = NewDisposeScope();
        using var net = c.CreateNetwork();
        using var _ = no_grad();
        var (x, y) = (c.Inputs(), c.Labels());
        var diffs = TriangleLp.Bounds(net, x, y, c.Eps);
        var eye = TriangleLp.Bounds(net, x, y, c.Eps, kind: SpecKind.Eye);
        string where = $"triangle-lp on {c}";

        var points = Sampling.Points(x, c.Eps, c.Seed);
        long b = points.shape[0], p = points.shape[1];
        var trace = Float64Reference.Forward(net, points.flatten(0, 1));
        Assert.Equal(trace.PreActivation.Count, diffs.PreActivation.Count);
        for (int i = 0; i < trace.PreActivation.Count; i++)
        {
            var z = trace.PreActivation[i].view(b, p, -1);
            Tolerance.NonNegative($"{where}: width of ReLU input {i}", diffs.PreActivation[i].Upper - diffs.PreActivation[i].Lower);
            Tolerance.AtLeast($"{where}: ReLU input {i}", diffs.PreActivation[i].Lower.flatten(1), z);
            Tolerance.AtMost($"{where}: ReLU input {i}", diffs.PreActivation[i].Upper.flatten(1), z);
        }
        var logits = trace.Logits.view(b, p, -1);
        var c64 = Spec.DiffMatrix(y, (int)logits.shape[2]).to(float64);
        var differences = matmul(logits, c64.transpose(1, 2));
        Tolerance.AtLeast($"{where}: z_y − z_j (diffs)", diffs.DiffLower, differences);
        Tolerance.AtLeast($"{where}: z_y − z_j (eye)", eye.DiffLower, differences);
        Tolerance.AtLeast($"{where}: logit (eye)", eye.Logits!.Lower, logits);
        Tolerance.AtMost($"{where}: logit (eye)", eye.Logits!.Upper, logits);
        // Elision (soundness.md §12.2): merged ≥ l_y − u_j.
        Tolerance.Inside($"{where}: merged vs l_y − u_j", diffs.DiffLower, null, eye.DiffLower, null);

        var solved = TriangleLp.Bounds(net, x, y, c.Eps, options: new TriangleLpOptions(SolveFirstLayer: true));
        for (int i = 0; i < solved.PreActivation.Count; i++)
        {
            Tolerance.Equal($"{where}: LP-solved first layer, lower {i}", solved.PreActivation[i].Lower, diffs.PreActivation[i].Lower);
            Tolerance.Equal($"{where}: LP-solved first layer, upper {i}", solved.PreActivation[i].Upper, diffs.PreActivation[i].Upper);
        }
        Tolerance.Equal($"{where}: LP-solved first layer, diffs", solved.DiffLower, diffs.DiffLower);
        var skipped = TriangleLp.Bounds(net, x, y, c.Eps, options: new TriangleLpOptions(SkipStable: true));
        Tolerance.Equal($"{where}: skip-stable diffs", skipped.DiffLower, diffs.DiffLower);
    }

    /// <summary>LP ≥ CROWN for the specification (CROWN's own slopes and random fixed lower slopes in [0, 1]); every
    /// intermediate LP bound inside Box's and CROWN's.</summary>
    public static void TighterThanCrownAndBox(NetworkCase c)
    {
        using var scope = NewDisposeScope();
        using var net = c.CreateNetwork();
        using var _ = no_grad();
        var (x, y) = (c.Inputs(), c.Labels());
        var lp = TriangleLp.Bounds(net, x, y, c.Eps);
        var crown = Verifier.Bounds(net, x, y, c.Eps, Domain.DeepPoly);
        var box = Verifier.Bounds(net, x, y, c.Eps, Domain.Box);
        string where = $"triangle-lp on {c}";
        Tolerance.Inside($"{where}: LP diffs vs CROWN", lp.DiffLower, null, crown.DiffLower, null);
        for (int i = 0; i < lp.PreActivation.Count; i++)
        {
            var (l, u) = (lp.PreActivation[i].Lower, lp.PreActivation[i].Upper);
            Tolerance.Inside($"{where}: ReLU input {i} vs CROWN", l, u, crown.PreActivation[i].Lower, crown.PreActivation[i].Upper);
            Tolerance.Inside($"{where}: ReLU input {i} vs Box", l, u, box.PreActivation[i].Lower, box.PreActivation[i].Upper);
        }
        var (lo, hi) = InputRegion.Corners(x, c.Eps);
        var spec = Spec.Diffs(y, c.Arch.Classes);
        using var g = new Generator((ulong)c.Seed + 31337);
        for (int trial = 0; trial < 3; trial++)
        {
            var slopes = crown.PreActivation.Select(p => (Tensor?)rand(p.Lower.shape, generator: g)).ToList();
            var fixedSlopes = CrownBackSubstitution.Propagate(LayerWalk.For(net), lo, hi, new CrownOptions(), spec, lowerSlopes: slopes);
            Tolerance.Inside($"{where}: LP diffs vs CROWN with random lower slopes (trial {trial})", lp.DiffLower, null, fixedSlopes.Lower, null);
        }
    }

    /// <summary>With ε small enough that no neuron changes sign, the LP bounds equal the exact affine range.</summary>
    public static void ExactWithoutCrossing(NetworkCase c)
    {
        using var scope = NewDisposeScope();
        using var net = c.CreateNetwork();
        using var _ = no_grad();
        var (xs, ys) = (c.Inputs(), c.Labels());
        for (long b = 0; b < Math.Min(2, c.Batch); b++)
        {
            var x = xs.narrow(0, b, 1);
            var y = ys.narrow(0, b, 1);
            double eps = Math.Min(c.Eps, ExactnessLaws.StableRadius(net, x));
            var (center, radius) = ExactnessLaws.ClampedBox(x, eps);
            var lin = Float64Reference.Linearize(net, center);
            var diffMatrix = Spec.DiffMatrix(y, (int)lin.Logits.shape[1]).to(float64);
            var (ll, lu) = ExactnessLaws.Range(lin.Logits, lin.LogitJacobian, radius);
            var (dl, _) = ExactnessLaws.Range(matmul(diffMatrix, lin.Logits.unsqueeze(2)).squeeze(2), matmul(lin.LogitJacobian, diffMatrix.transpose(1, 2)), radius);
            var diffs = TriangleLp.Bounds(net, x, y, eps);
            var eye = TriangleLp.Bounds(net, x, y, eps, kind: SpecKind.Eye);
            string where = $"triangle-lp at stable ε = {eps:R}, example {b} of {c}";
            for (int i = 0; i < lin.PreActivation.Count; i++)
            {
                var (l, u) = ExactnessLaws.Range(lin.PreActivation[i], lin.PreActivationJacobians[i], radius);
                Tolerance.Equal($"{where}: lower, ReLU input {i}", diffs.PreActivation[i].Lower.flatten(1), l);
                Tolerance.Equal($"{where}: upper, ReLU input {i}", diffs.PreActivation[i].Upper.flatten(1), u);
            }
            Tolerance.Equal($"{where}: logits lower", eye.Logits!.Lower, ll);
            Tolerance.Equal($"{where}: logits upper", eye.Logits!.Upper, lu);
            Tolerance.Equal($"{where}: merged diffs", diffs.DiffLower, dl);
        }
    }
}
