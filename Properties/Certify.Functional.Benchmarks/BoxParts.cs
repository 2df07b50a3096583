using System.Diagnostics;
using Certify.Functional.Bounds;
using Certify.Functional.Data;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Relaxations.Shared;
using Certify.Functional.Verification;
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
        void T(string name, Action a) => Fixtures.PrintMedian(name, a, 20, 200);
        T("natural forward", () => nn.functional.cross_entropy(net.forward(x), y));
        T("natural forward+backward", () => nn.functional.cross_entropy(net.forward(x), y).backward());
        T("input region", () => InputRegion.Box(x, 0.1));
        T("spec", () => Spec.Diffs(y, 10));
        T("box propagate (generated)", () => Propagators.For(net).Box(InputRegion.Box(x, 0.1), BoxOptions.Plain, Spec.Diffs(y, 10)));
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
        var xf = NormalizeConcreteFlat(net, x);
        T("  nat dense 784→100 fwd+bwd", () => nn.functional.linear(xf, net.DenseAt(2).Weight, net.DenseAt(2).Bias).sum().backward());
        T("  box dense 784→100 fwd+bwd", () => { var o = Relaxations.Ibp.DenseBox.Propagate(net.DenseAt(2), flat); (o.Center.sum() + o.Radius.sum()).backward(); });
        T("  box dense+relu fwd+bwd", () => { var o = Relaxations.Ibp.ReluBox.Propagate(Layers.Relu.Instance, Relaxations.Ibp.DenseBox.Propagate(net.DenseAt(2), flat)); (o.Center.sum() + o.Radius.sum()).backward(); });
        T("  box dense+relu+dense fwd+bwd", () => { var o = Relaxations.Ibp.DenseBox.Propagate(net.DenseAt(4), Relaxations.Ibp.ReluBox.Propagate(Layers.Relu.Instance, Relaxations.Ibp.DenseBox.Propagate(net.DenseAt(2), flat))); (o.Center.sum() + o.Radius.sum()).backward(); });
        T("  box up to relu5 fwd+bwd", () => { var o = Relaxations.Ibp.ReluBox.Propagate(Layers.Relu.Instance, Relaxations.Ibp.DenseBox.Propagate(net.DenseAt(4), Relaxations.Ibp.ReluBox.Propagate(Layers.Relu.Instance, Relaxations.Ibp.DenseBox.Propagate(net.DenseAt(2), flat)))); (o.Center.sum() + o.Radius.sum()).backward(); });
        var r3d = new Box(r3.Center.detach(), r3.Radius.detach());
        var dl = new Box(r3d.Center.narrow(1, 0, 9).requires_grad_(), r3d.Radius.narrow(1, 0, 9));
        T("  merge+dense merged+loss fwd+bwd", () => nn.functional.cross_entropy(SpecLoss.PseudoLogits(Relaxations.Ibp.DenseBox.Propagate(SpecLayer.Merge(net.DenseAt(6), spec), r3d).Lower, y, spec.Others), y).backward());
        T("  merge fwd+bwd", () => { var m = SpecLayer.Merge(net.DenseAt(6), spec); (m.Weight.sum() + m.Bias.sum()).backward(); });
        T("  merge via C fwd+bwd", () => { var c = Spec.DiffMatrix(spec.Labels, 10); var w = matmul(c, net.DenseAt(6).Weight); var b = matmul(c, net.DenseAt(6).Bias); (w.sum() + b.sum()).backward(); });
        T("  DiffMatrix", () => Spec.DiffMatrix(spec.Labels, 10));
        T("  merge via C + dense merged+loss fwd+bwd", () => { var c = Spec.DiffMatrix(spec.Labels, 10); var m = new Layers.Dense(matmul(c, net.DenseAt(6).Weight), matmul(c, net.DenseAt(6).Bias));
            nn.functional.cross_entropy(SpecLoss.PseudoLogits(Relaxations.Ibp.DenseBox.Propagate(m, r3d).Lower, y, spec.Others), y).backward(); });
        T("  spec dense box (pairs)+loss fwd+bwd", () => nn.functional.cross_entropy(SpecLoss.PseudoLogits(Relaxations.Ibp.SpecDenseBox.Propagate(net.DenseAt(6), r3d, spec).Lower, y, spec.Others), y).backward());
        T("  pseudo-logits+CE fwd+bwd", () => nn.functional.cross_entropy(SpecLoss.PseudoLogits(dl.Lower, y, spec.Others), y).backward());
        T("box bounds", () => Verifier.Bounds(net, x, y, 0.1, Domain.Box));
        T("box loss forward", () => SpecLoss.Loss(Verifier.Bounds(net, x, y, 0.1, Domain.Box), y));
        T("box loss forward+backward", () => SpecLoss.Loss(Verifier.Bounds(net, x, y, 0.1, Domain.Box), y).backward());
        StepSplit("natural step", net, () => nn.functional.cross_entropy(net.forward(x), y));
        StepSplit("box step", net, () => SpecLoss.Loss(Verifier.Bounds(net, x, y, 0.1, Domain.Box), y));
        return 0;
    }

    static Tensor NormalizeConcreteFlat(Networks.NetworkModule net, Tensor x) =>
        Relaxations.Concrete.NormalizeConcrete.Propagate(net.NormalizeAt(0), x).flatten(1);

    /// <summary>Median time of each phase of a training step (zero_grad, loss, backward, Adam, disposing the step's
    /// tensors), for finding where a step's time goes beyond the loss itself.</summary>
    static void StepSplit(string name, Certify.Functional.Networks.NetworkModule net, Func<Tensor> loss)
    {
        var optimizer = optim.Adam(net.parameters(), lr: 0);
        var phases = new[] { "zero_grad", "loss", "backward", "adam", "dispose", "total" };
        var times = phases.Select(_ => new List<double>()).ToArray();
        for (int i = -50; i < 400; i++)
        {
            var t = new double[phases.Length];
            var all = Stopwatch.StartNew();
            var sw = Stopwatch.StartNew();
            var scope = NewDisposeScope();
            optimizer.zero_grad(); t[0] = sw.Elapsed.TotalMilliseconds; sw.Restart();
            var l = loss(); t[1] = sw.Elapsed.TotalMilliseconds; sw.Restart();
            l.backward(); t[2] = sw.Elapsed.TotalMilliseconds; sw.Restart();
            optimizer.step(); t[3] = sw.Elapsed.TotalMilliseconds; sw.Restart();
            scope.Dispose(); t[4] = sw.Elapsed.TotalMilliseconds;
            t[5] = all.Elapsed.TotalMilliseconds;
            if (i >= 0) for (int k = 0; k < t.Length; k++) times[k].Add(t[k]);
        }
        Console.WriteLine($"{name}: " + string.Join(", ", phases.Select((p, k) => { times[k].Sort(); return $"{p} {times[k][times[k].Count / 2]:F3}"; })) + " ms (medians)");
    }
}
