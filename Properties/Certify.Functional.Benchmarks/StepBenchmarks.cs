using BenchmarkDotNet.Attributes;
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

/// <summary>One optimizer step (forward, loss, backward, Adam) and one certification batch per domain, on the
/// embedded MNIST subset, 1 thread. Compare with the reference's figures in Samples/Reference/README.md.</summary>
[MemoryDiagnoser(false)]
public class StepBenchmarks
{
    [Params("FC-SMALL", "FC")] public string Net { get; set; } = "FC";
    [Params(100)] public int Batch { get; set; }

    static readonly Domain CrownIbp = Fixtures.Domain("crown-ibp");
    NetworkModule network = null!;
    optim.Optimizer optimizer = null!;
    Tensor x = null!, y = null!;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        torch.manual_seed(1);
        var data = Fixtures.Mnist(Split.Train);
        network = Fixtures.Network(Net);
        optimizer = optim.Adam(network.parameters(), lr: 5e-4);
        var (bx, by) = data.Batch(Enumerable.Range(0, Batch).ToArray());
        x = bx.DetachFromDisposeScope();
        y = by.DetachFromDisposeScope();
    }

    void Step(Func<Tensor> loss)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var l = loss();
        l.backward();
        optimizer.step();
    }

    Tensor Abstract(Domain domain, double eps = 0.1) => SpecLoss.Loss(Verifier.Bounds(network, x, y, eps, domain), y);

    [Benchmark(Baseline = true)] public void NaturalStep() => Step(() => nn.functional.cross_entropy(network.forward(x), y));
    [Benchmark] public void BoxStep() => Step(() => Abstract(Domain.Box));
    [Benchmark] public void BoxMixedStep() => Step(() => 0.5 * nn.functional.cross_entropy(network.forward(x), y) + 0.5 * Abstract(Domain.Box));
    [Benchmark] public void HBoxStep() => Step(() => Abstract(Domain.HBox));
    [Benchmark] public void DeepZStep() => Step(() => Abstract(Domain.DeepZ));

    [Benchmark] public void DeepPolyStep() => Step(() => Abstract(Domain.DeepPoly));
    [Benchmark] public void CrownIbpStep() => Step(() => Abstract(CrownIbp));

    [Benchmark] public void CertifyBox() => Certify(Domain.Box);
    [Benchmark] public void CertifyDeepPoly() => Certify(Domain.DeepPoly);
    [Benchmark] public void CertifyCrownIbp() => Certify(CrownIbp);
    [Benchmark] public void CertifyHBox() => Certify(Domain.HBox);
    [Benchmark] public void CertifyDeepZ() => Certify(Domain.DeepZ);

    void Certify(Domain domain)
    {
        using var scope = NewDisposeScope();
        Verifier.Certify(network, x, y, 0.1, domain).sum().item<long>();
    }
}
