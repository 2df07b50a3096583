using Certify.Functional.Data;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification;
using Certify.Functional.Samples;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Benchmarks;

/// <summary><c>stats MODEL.pt EPS DOMAIN</c>: per ReLU layer the fractions of dead, crossing and active neurons, and
/// the largest count of non-dead neurons in a batch of 100 (what a dead-neuron-skipping product would keep).</summary>
public static class Stats
{
    public static int Run(string[] args)
    {
        torch.set_num_threads(1);
        using var net = Fixtures.Network("FC", args[0]);
        double eps = double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        var domain = Fixtures.Domain(args[2]);
        var data = Fixtures.Mnist(Split.Test);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (x, y) = data.Batch(Enumerable.Range(0, 100).ToArray());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var b = Verifier.Bounds(net, x, y, eps, domain);
        var seconds = clock.Elapsed.TotalSeconds;
        foreach (var box in b.PreActivation)
        {
            var (l, u) = (box.Lower, box.Upper);
            double dead = u.lt(0).to(float32).mean().item<float>(), active = l.gt(0).to(float32).mean().item<float>();
            long maxAlive = u.ge(0).sum(1).max().item<long>();
            Console.WriteLine($"n={l.shape[1]}: dead {dead:P0} crossing {1 - dead - active:P0} active {active:P0}; max non-dead per example {maxAlive}; union crossing {l.lt(0).logical_and(u.gt(0)).any(0).sum().item<long>()}");
        }
        Console.WriteLine($"certified {b.Certified.sum().item<long>()}/100; mean lower bound {b.DiffLower.mean().item<float>():F4}, mean of the per-image minimum {b.DiffLower.min(1).values.mean().item<float>():F4}; {seconds:F2} s");
        return 0;
    }
}
