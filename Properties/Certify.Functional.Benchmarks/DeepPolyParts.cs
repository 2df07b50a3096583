using System.Diagnostics;
using Certify.Functional.Bounds;
using Certify.Functional.Data;
using Certify.Functional.Relaxations.DeepPoly;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Relaxations.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Benchmarks;

/// <summary><c>dpparts MODEL</c>: median times of the steps of the relu5 pre-activation chain of a DeepPoly bound on FC
/// (forward, with gradients recorded, as in training).</summary>
public static class DeepPolyParts
{
    public static int Run(string[] args)
    {
        torch.set_num_threads(1);
        var data = Fixtures.Mnist(Split.Train);
        using var net = Fixtures.Network("FC", args.ElementAtOrDefault(0) ?? "crown");
        var (x, y) = data.Batch(Enumerable.Range(0, 100).ToArray());
        void T(string name, Action a) => Fixtures.PrintMedian(name, a, 3, 15);
        var (lo, hi) = InputRegion.Corners(x, 0.1);
        var b = Propagators.For(net).DeepPoly(lo, hi, new CrownOptions(), Spec.Diffs(y, 10), null, null);
        var env = b.Envelopes;
        long[] shape = [1, 28, 28];
        var p4 = DenseDeepPoly.BackwardPair(net.DenseAt(4), LinearBoundPair.Identity);
        var p3 = ReluDeepPoly.BackwardPair(env[0], p4, compact: true);
        T("relu3 pair", () => ReluDeepPoly.BackwardPair(env[0], p4, compact: true));
        var p2 = DenseDeepPoly.BackwardPair(net.DenseAt(2), p3);
        T("dense2 pair", () => DenseDeepPoly.BackwardPair(net.DenseAt(2), p3));
        var p0 = NormalizeDeepPoly.BackwardPair(net.NormalizeAt(0), shape, FlattenDeepPoly.BackwardPair(shape, p2));
        T("normalize pair", () => NormalizeDeepPoly.BackwardPair(net.NormalizeAt(0), shape, FlattenDeepPoly.BackwardPair(shape, p2)));
        T("concretize pair", () => InputDeepPoly.ConcretizePair(p0, lo, hi));
        T("chain 5 fwd", () => InputDeepPoly.ConcretizePair(NormalizeDeepPoly.BackwardPair(net.NormalizeAt(0), shape, FlattenDeepPoly.BackwardPair(shape,
            DenseDeepPoly.BackwardPair(net.DenseAt(2), ReluDeepPoly.BackwardPair(env[0], DenseDeepPoly.BackwardPair(net.DenseAt(4), LinearBoundPair.Identity), compact: true)))), lo, hi));
        T("chain 5 fwd+bwd", () =>
        {
            var (l, u) = InputDeepPoly.ConcretizePair(NormalizeDeepPoly.BackwardPair(net.NormalizeAt(0), shape, FlattenDeepPoly.BackwardPair(shape,
                DenseDeepPoly.BackwardPair(net.DenseAt(2), ReluDeepPoly.BackwardPair(env[0], DenseDeepPoly.BackwardPair(net.DenseAt(4), LinearBoundPair.Identity), compact: true)))), lo, hi);
            (l.sum() - u.sum()).backward(retain_graph: true);
        });
        Console.WriteLine($"p3: {p3.GetType().Name} {(p3 is FactoredSides f ? $"A {string.Join('x', f.Mid.A!.shape)} U {string.Join('x', f.U?.shape ?? [])} units {string.Join('x', f.Units?.shape ?? [])}" : "")}");
        return 0;
    }
}
