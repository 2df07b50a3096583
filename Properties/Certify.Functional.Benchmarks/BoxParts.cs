using System.Diagnostics;
using Certify.Functional.Bounds;
using Certify.Functional.Data;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Relaxations.Shared;
using Certify.Functional.Relaxations.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Benchmarks;

/// <summary><c>boxparts NET</c>: median times of the pieces of a Box training step (for optimising its overhead).</summary>
public static class BoxParts
{
    public static int Run(string[] args)
    {
        torch.set_num_threads(1);
        var data = Fixtures.Mnist(Split.Train);
        using var net = Fixtures.Network(args.ElementAtOrDefault(0) ?? "FC-SMALL");
        var (x, y) = data.Batch(Enumerable.Range(0, 100).ToArray());
        void T(string name, Action a)
        {
            for (int i = 0; i < 20; i++) using (NewDisposeScope()) a();
            var times = new List<double>();
            for (int i = 0; i < 200; i++) { var sw = Stopwatch.StartNew(); using (NewDisposeScope()) a(); times.Add(sw.Elapsed.TotalMilliseconds); }
            times.Sort();
            Console.WriteLine($"{name,-40} {times[100]:F3} ms");
        }
        T("natural forward", () => nn.functional.cross_entropy(net.forward(x), y));
        T("natural forward+backward", () => nn.functional.cross_entropy(net.forward(x), y).backward());
        T("input region", () => InputRegion.Box(x, 0.1));
        T("spec", () => Spec.Diffs(y, 10));
        T("box propagate (generated)", () => ((IBoxPropagator)net).PropagateBox(InputRegion.Box(x, 0.1), BoxOptions.Plain, Spec.Diffs(y, 10)));
        var region = InputRegion.Box(x, 0.1);
        var normalized = Relaxations.Ibp.NormalizeBox.Propagate(net.NormalizeAt(0), region);
        var flat = Relaxations.Ibp.FlattenBox.Propagate(Layers.Flatten.Instance, normalized);
        var d2 = Relaxations.Ibp.DenseBox.Propagate(net.DenseAt(2), flat);
        var r3 = Relaxations.Ibp.ReluBox.Propagate(Layers.Relu.Instance, d2);
        var spec = Spec.Diffs(y, 10);
        T("  normalize", () => Relaxations.Ibp.NormalizeBox.Propagate(net.NormalizeAt(0), region));
        T("  dense 784→100", () => Relaxations.Ibp.DenseBox.Propagate(net.DenseAt(2), flat));
        T("  relu", () => Relaxations.Ibp.ReluBox.Propagate(Layers.Relu.Instance, d2));
        T("  dense 100→100", () => Relaxations.Ibp.DenseBox.Propagate(net.DenseAt(4), r3));
        T("  merge", () => SpecLayer.Merge(net.DenseAt(6), spec));
        var merged = SpecLayer.Merge(net.DenseAt(6), spec);
        T("  dense merged", () => Relaxations.Ibp.DenseBox.Propagate(merged, r3));
        T("  lower + pseudo-logits + CE", () => nn.functional.cross_entropy(SpecLoss.PseudoLogits(r3.Lower.narrow(1, 0, 9), y, spec.Others), y));
        T("box bounds", () => Verifier.Bounds(net, x, y, 0.1, Domain.Box));
        T("box loss forward", () => SpecLoss.Loss(Verifier.Bounds(net, x, y, 0.1, Domain.Box), y));
        T("box loss forward+backward", () => SpecLoss.Loss(Verifier.Bounds(net, x, y, 0.1, Domain.Box), y).backward());
        return 0;
    }
}
