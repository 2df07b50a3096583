using Certify.Functional.Training;

namespace Certify.Functional.Properties.Pipeline;

public class TrainConfigTests
{
    static readonly string[] Nets = ["FC", "FC-SMALL"];
    static readonly string[] Datasets = ["mnist"];

    [Fact]
    public void Defaults_are_valid() => Assert.True(TrainConfig.Validate(TrainConfig.Default, Nets, Datasets).IsSuccess);

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var bad = TrainConfig.Default with { Net = "RESNET", Dataset = "imagenet", Eps = -0.1, BatchSize = 0, Epochs = -1, LearningRate = double.NaN, Threads = 0, Device = "tpu" };
        var errors = TrainConfig.Validate(bad, Nets, Datasets).Match(_ => throw new Xunit.Sdk.XunitException("expected failure"), e => e.Select(x => x.Message).ToList());
        Assert.Equal(8, errors.Count);
        Assert.Contains(errors, m => m.Contains("Unknown network 'RESNET'") && m.Contains("FC-SMALL"));
        Assert.Contains(errors, m => m.Contains("Unknown dataset 'imagenet'"));
        Assert.Contains(errors, m => m.Contains("ε (--eps) must be in [0, 1]") && m.Contains("-0.1"));
        Assert.Contains(errors, m => m.Contains("Batch size (--batch-size) must be > 0, got 0"));
        Assert.Contains(errors, m => m.Contains("Epochs (--epochs) must be > 0, got -1"));
        Assert.Contains(errors, m => m.Contains("Learning rate"));
        Assert.Contains(errors, m => m.Contains("Threads"));
        Assert.Contains(errors, m => m.Contains("Device"));
    }

    [Fact]
    public void Smoothing_problems_name_their_flags()
    {
        var bad = TrainConfig.Default with { Smoothing = "adam", SmoothingSigma = 0, SmoothingSamples = 0, SmoothingSigmaEnd = -1 };
        var errors = TrainConfig.Validate(bad, Nets, Datasets).Match(_ => throw new Xunit.Sdk.XunitException("expected failure"), e => e.Select(x => x.Message).ToList());
        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, m => m.Contains("--smoothing") && m.Contains("'adam'") && m.Contains("none, pgpe, rgs"));
        Assert.Contains(errors, m => m.Contains("--sigma)") && m.Contains("> 0"));
        Assert.Contains(errors, m => m.Contains("--samples") && m.Contains("≥ 1"));
        Assert.Contains(errors, m => m.Contains("--sigma-end") && m.Contains("-1"));
        var orphan = TrainConfig.Validate(TrainConfig.Default with { SmoothingSigmaEnd = 0.001 }, Nets, Datasets);
        Assert.Contains("--sigma-end", orphan.Match(_ => "", e => e.Head.Message));
        foreach (var method in TrainConfig.Smoothings)
            Assert.True(TrainConfig.Validate(TrainConfig.Default with { Smoothing = method, SmoothingSigmaEnd = method == "none" ? null : 0 }, Nets, Datasets).IsSuccess, method);
    }

    [Fact]
    public void Net_names_match_case_insensitively() =>
        Assert.True(TrainConfig.Validate(TrainConfig.Default with { Net = "fc-small" }, Nets, Datasets).IsSuccess);
}
