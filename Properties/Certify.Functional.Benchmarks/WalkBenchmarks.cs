using BenchmarkDotNet.Attributes;
using Certify.Functional.Bounds;
using Certify.Functional.Data;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Relaxations.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Benchmarks;

/// <summary>Generated against interpreted walks (issue 14): the same relaxation tables walked by a declared network's
/// generated straight-line code or by <see cref="InterpretedWalk"/>'s loop over the layer list, one batch of the embedded
/// MNIST subset, 1 thread, no gradients: the concrete forward pass, Box, hBox and CROWN (back-substitution).
/// <c>dotnet run -c Release --project Properties/Certify.Functional.Benchmarks -- --filter '*WalkBenchmarks*'</c>.</summary>
[MemoryDiagnoser(false)]
public class WalkBenchmarks
{
    [Params("FC-SMALL", "CONV")] public string Net { get; set; } = "FC-SMALL";
    [Params("generated", "interpreted")] public string Walk { get; set; } = "generated";
    [Params(100)] public int Batch { get; set; }

    NetworkModule network = null!;
    Propagators propagators = null!;
    ILayerWalk walk = null!;
    Tensor x = null!, y = null!;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        torch.manual_seed(1);
        var data = Fixtures.Mnist(Split.Train);
        network = Fixtures.Network(Net);
        walk = Walk == "generated" ? (ILayerWalk)network : new InterpretedWalk(network);
        propagators = Propagators.Of(walk);
        var (bx, by) = data.Batch(Enumerable.Range(0, Batch).ToArray());
        x = bx.DetachFromDisposeScope();
        y = by.DetachFromDisposeScope();
    }

    [Benchmark] public void Concrete() => Run(() => walk.Propagate<Relaxations.Concrete.ConcreteRelaxations, Tensor, LanguageExt.Unit>(x, default, null).Output);

    [Benchmark] public void Box() => Run(() => propagators.Box(InputRegion.Box(x, 0.1), BoxOptions.Plain, Spec.Diffs(y, 10)).Output.Lower);

    [Benchmark] public void HBox() => Run(() => propagators.Hybrid(InputRegion.Hybrid(x, 0.1), new ZonotopeOptions(ZonoRelu.Box), Spec.Diffs(y, 10)).Output.Concretize().Lower);

    [Benchmark] public void Crown() => Run(() =>
    {
        var (lo, hi) = InputRegion.Corners(x, 0.1);
        return propagators.DeepPoly(lo, hi, new CrownOptions(), Spec.Diffs(y, 10), null, null).Lower;
    });

    static void Run(Func<Tensor> bound)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        bound().sum().item<float>();
    }
}
