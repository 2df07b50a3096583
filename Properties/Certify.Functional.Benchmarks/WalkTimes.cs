using System.Diagnostics;
using Certify.Functional.Bounds;
using Certify.Functional.Data;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Relaxations.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Benchmarks;

/// <summary>
/// <c>walks NET [ROUNDS]</c>: a declared network's generated walk against the interpreter's (issue 14), the same
/// relaxation tables either way: the concrete forward pass, Box, hBox and CROWN on one batch of 100 images of the
/// embedded MNIST subset, 1 thread, no gradients. The two walks alternate within every round (so drifts of the machine
/// and of the native heap hit both alike); the medians over the rounds are printed, with their ratio.
/// (A BenchmarkDotNet class running the walks one after the other measured the first walk of a network up to 5× slower
/// on hBox for no reason that survived interleaving: the heap state left by the previous benchmark.)
/// </summary>
public static class WalkTimes
{
    public static int Run(string[] args)
    {
        torch.set_num_threads(1);
        torch.manual_seed(1);
        string name = args.ElementAtOrDefault(0) ?? "FC-SMALL";
        int rounds = int.TryParse(args.ElementAtOrDefault(1), out var r) ? r : 15;
        var data = Fixtures.Mnist(Split.Train);
        using var net = Fixtures.Network(name);
        var (x, y) = data.Batch(Enumerable.Range(0, 100).ToArray());
        var walks = new (string Name, ILayerWalk Walk)[] { ("generated", (ILayerWalk)net), ("interpreted", new InterpretedWalk(net)) };
        var operations = new (string Name, Func<ILayerWalk, Tensor> Bound)[]
        {
            ("concrete", w => w.Propagate<Relaxations.Concrete.ConcreteRelaxations, Tensor, LanguageExt.Unit>(x, default, null).Output),
            ("box", w => Propagators.Of(w).Box(InputRegion.Box(x, 0.1), BoxOptions.Plain, Spec.Diffs(y, 10)).Output.Lower),
            ("hbox", w => Propagators.Of(w).Hybrid(InputRegion.Hybrid(x, 0.1), new ZonotopeOptions(ZonoRelu.Box), Spec.Diffs(y, 10)).Output.Concretize().Lower),
            ("crown", w =>
            {
                var (lo, hi) = InputRegion.Corners(x, 0.1);
                return Propagators.Of(w).DeepPoly(lo, hi, new CrownOptions(), Spec.Diffs(y, 10), null, null).Lower;
            }),
        };
        Console.WriteLine($"{name}, batch 100, {rounds} rounds (+2 warm-up), median ms per call");
        Console.WriteLine($"{"operation",-10} {"generated",12} {"interpreted",12} {"gen/int",8}");
        foreach (var (op, bound) in operations)
        {
            var times = walks.Select(_ => new List<double>()).ToArray();
            for (int round = 0; round < rounds + 2; round++)
                for (int k = 0; k < walks.Length; k++)
                {
                    using var scope = NewDisposeScope();
                    using var _ = no_grad();
                    var watch = Stopwatch.StartNew();
                    bound(walks[k].Walk).sum().item<float>();
                    if (round >= 2) times[k].Add(watch.Elapsed.TotalMilliseconds);
                }
            double Median(List<double> t) => t.Order().ElementAt(t.Count / 2);
            var (g, i) = (Median(times[0]), Median(times[1]));
            Console.WriteLine($"{op,-10} {g,12:F2} {i,12:F2} {g / i,8:F3}");
        }
        return 0;
    }
}
