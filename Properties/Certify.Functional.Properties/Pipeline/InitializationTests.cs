using Certify.Functional.Layers;
using Certify.Functional.Training;
using Certify.Functional.Samples;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Pipeline;

/// <summary>IBP initialization (training.md §4.6): every weight but the last ~ N(0, (√(2π)/fan_in)²), biases and the last layer untouched,
/// deterministic under the seed.</summary>
public sealed class InitializationTests : TorchTest
{
    [Theory]
    [InlineData("FC-SMALL")]
    [InlineData("CONV")]
    public void Ibp_draws_every_weight_but_the_last_from_the_stated_normal(string name)
    {
        using var scope = NewDisposeScope();
        var entry = NetworkCatalog.Find(name, Shape.Of(1, 28, 28)).Match(e => e, e => throw new Xunit.Sdk.XunitException(e.Message));
        manual_seed(3);
        using var net = entry.Create();
        var before = net.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        manual_seed(4);
        Initialization.Ibp(net);
        var weights = net.named_parameters().Where(p => p.name.EndsWith(".weight") && p.parameter.dim() >= 2).ToList();
        foreach (var (pname, w) in weights.Take(weights.Count - 1))
        {
            long fanIn = w.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            double sigma = Math.Sqrt(2 * Math.PI) / fanIn, n = w.numel();
            double mean = w.mean().item<float>(), std = w.std().item<float>();
            // Sample mean and standard deviation of n normal draws: within 5 standard errors.
            Assert.True(Math.Abs(mean) <= 5 * sigma / Math.Sqrt(n), $"{pname}: mean {mean:R}, σ {sigma:R}, n {n}");
            Assert.True(Math.Abs(std - sigma) <= 5 * sigma / Math.Sqrt(2 * n), $"{pname}: std {std:R}, σ {sigma:R}, n {n}");
        }
        Assert.True(before[weights[^1].name].equal(weights[^1].parameter).all().item<bool>(), "the last layer keeps its initialization");
        foreach (var (pname, p) in net.named_parameters().Where(p => p.name.EndsWith(".bias")))
            Assert.True(before[pname].equal(p).all().item<bool>(), $"{pname}: biases keep their initialization");

        manual_seed(3);
        using var again = entry.Create();
        manual_seed(4);
        Initialization.Ibp(again);
        foreach (var ((_, a), (_, b)) in net.named_parameters().Zip(again.named_parameters()))
            Assert.True(a.equal(b).all().item<bool>(), "same seed, same weights");
    }
}
