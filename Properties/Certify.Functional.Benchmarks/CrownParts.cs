using System.Diagnostics;
using Certify.Functional.Bounds;
using Certify.Functional.Data;
using Certify.Functional.Relaxations.DeepPoly;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Relaxations.Shared;
using Certify.Functional.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Benchmarks;

/// <summary><c>crownparts MODEL</c>: median times of the pieces of a CROWN-IBP training step on FC (for optimising it).</summary>
public static class CrownParts
{
    public static int Run(string[] args)
    {
        torch.set_num_threads(1);
        var data = Fixtures.Mnist(Split.Train);
        using var net = Fixtures.Network("FC", args.ElementAtOrDefault(0) ?? "crownibp1to1");
        var (x, y) = data.Batch(Enumerable.Range(0, 100).ToArray());
        void T(string name, Action a) => Fixtures.PrintMedian(name, a, 5, 40);
        var domain = Fixtures.Domain("crown-ibp");
        var spec = Spec.Diffs(y, 10);
        var (lo, hi) = InputRegion.Corners(x, 0.1);
        var ibp = Propagators.For(net).Box(InputRegion.Box(x, 0.1), BoxOptions.Plain, spec).PreActivation;
        var env = ibp.Select(b => CrownEnvelopes.Compute(new CrownOptions(), b)).ToArray();
        T("ibp pass", () => Propagators.For(net).Box(InputRegion.Box(x, 0.1), BoxOptions.Plain, spec));
        T("envelopes", () => ibp.Select(b => CrownEnvelopes.Compute(new CrownOptions(), b)).ToArray());
        var s10 = DenseDeepPoly.Backward(SpecLayer.Merge(net.DenseAt(10), spec), LinearBound.Identity);
        T("merge", () => DenseDeepPoly.Backward(SpecLayer.Merge(net.DenseAt(10), spec), LinearBound.Identity));
        var s9 = ReluDeepPoly.Backward(env[3], s10, true, true);
        T("relu9", () => ReluDeepPoly.Backward(env[3], s10, true, true));
        var s8 = DenseDeepPoly.Backward(net.DenseAt(8), s9);
        T("dense8", () => DenseDeepPoly.Backward(net.DenseAt(8), s9));
        var s7 = ReluDeepPoly.Backward(env[2], s8, true, true);
        T("relu7", () => ReluDeepPoly.Backward(env[2], s8, true, true));
        var s6 = DenseDeepPoly.Backward(net.DenseAt(6), s7);
        T("dense6", () => DenseDeepPoly.Backward(net.DenseAt(6), s7));
        var s5 = ReluDeepPoly.Backward(env[1], s6, true, true);
        T("relu5", () => ReluDeepPoly.Backward(env[1], s6, true, true));
        var s4 = DenseDeepPoly.Backward(net.DenseAt(4), s5);
        T("dense4", () => DenseDeepPoly.Backward(net.DenseAt(4), s5));
        var s3 = ReluDeepPoly.Backward(env[0], s4, true, true);
        T("relu3", () => ReluDeepPoly.Backward(env[0], s4, true, true));
        var s2 = DenseDeepPoly.Backward(net.DenseAt(2), s3);
        T("dense2", () => DenseDeepPoly.Backward(net.DenseAt(2), s3));
        var s0 = NormalizeDeepPoly.Backward(net.NormalizeAt(0), [1, 28, 28], FlattenDeepPoly.Backward([1, 28, 28], s2));
        T("normalize", () => NormalizeDeepPoly.Backward(net.NormalizeAt(0), [1, 28, 28], FlattenDeepPoly.Backward([1, 28, 28], s2)));
        T("concretize", () => InputDeepPoly.Concretize(s0, lo, hi, true));
        T("composed chain", () =>
        {
            var pre = Propagators.For(net).Box(InputRegion.Box(x, 0.1), BoxOptions.Plain, spec).PreActivation;
            var e = pre.Select(b => CrownEnvelopes.Compute(new CrownOptions(), b)).ToArray();
            var b = DenseDeepPoly.Backward(SpecLayer.Merge(net.DenseAt(10), spec), LinearBound.Identity);
            b = DenseDeepPoly.Backward(net.DenseAt(8), ReluDeepPoly.Backward(e[3], b, true, true));
            b = DenseDeepPoly.Backward(net.DenseAt(6), ReluDeepPoly.Backward(e[2], b, true, true));
            b = DenseDeepPoly.Backward(net.DenseAt(4), ReluDeepPoly.Backward(e[1], b, true, true));
            b = DenseDeepPoly.Backward(net.DenseAt(2), ReluDeepPoly.Backward(e[0], b, true, true));
            b = NormalizeDeepPoly.Backward(net.NormalizeAt(0), [1, 28, 28], FlattenDeepPoly.Backward([1, 28, 28], b));
            InputDeepPoly.Concretize(b, lo, hi, true);
        });
        T("generated with ibp given", () => Propagators.For(net).DeepPoly(lo, hi, new CrownOptions(), spec, ibp, null));
        T("bounds", () => Verifier.Bounds(net, x, y, 0.1, domain));
        T("loss fwd+bwd", () => SpecLoss.Loss(Verifier.Bounds(net, x, y, 0.1, domain), y).backward());
        T("box loss fwd+bwd", () => SpecLoss.Loss(Verifier.Bounds(net, x, y, 0.1, Domain.Box), y).backward());
        return 0;
    }
}
