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

/// <summary>The same measurements on the paper's released FC networks (each trained with the relaxation it is
/// measured with), the setting of the reference's speed figures: certification of 100 MNIST-subset test images at
/// ε 0.3 and one training step at ε 0.1, batch 100, 1 thread.</summary>
public class PretrainedBenchmarks
{
    [Params("box", "hbox", "zono", "deeppoly", "crown-ibp")] public string Relaxation { get; set; } = "box";

    NetworkModule network = null!;
    optim.Optimizer optimizer = null!;
    Domain domain = null!;
    Tensor x = null!, y = null!;

    static string Model(string relaxation) => relaxation switch
    {
        "deeppoly" => "crown",
        "crown-ibp" => "crownibp1to1",
        _ => relaxation,
    };

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        var data = Fixtures.Mnist(Split.Test);
        network = Fixtures.Network("FC", Model(Relaxation));
        optimizer = optim.Adam(network.parameters(), lr: 0);                    // lr 0: every step sees the same weights
        domain = Fixtures.Domain(Relaxation);
        var (bx, by) = data.Batch(Enumerable.Range(0, 100).ToArray());
        x = bx.DetachFromDisposeScope();
        y = by.DetachFromDisposeScope();
    }

    [Benchmark]
    public long Certify()
    {
        using var scope = NewDisposeScope();
        return Verifier.Certify(network, x, y, 0.3, domain).sum().item<long>();
    }

    [Benchmark]
    public void TrainStep()
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        SpecLoss.Loss(Verifier.Bounds(network, x, y, 0.1, domain), y).backward();
        optimizer.step();
    }
}
