using Certify.Functional.Properties.Relaxations;
using Certify.Functional.Training;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Pipeline;

/// <summary>Loss composition (relaxations.md §2, training.md §4.1) and the golden CE values of soundness.md §13 coming out of the training loss.</summary>
public class CertifiedLossTests : TorchTest
{
    static double Loss(string domain, double kappa, double beta = 1, double l1 = 0)
    {
        using var net = GoldenNetwork.Create();
        return CertifiedLoss.Compute(net, GoldenNetwork.Input(), GoldenNetwork.Label(),
                new LossSettings(GoldenNetwork.Domain(domain), GoldenNetwork.Eps, kappa, beta) { Penalty = WeightPenalty.L1(l1) })
            .Loss.item<float>();
    }

    [Theory]
    [InlineData("box", 4.744470)]
    [InlineData("hbox", 3.441100)]
    [InlineData("zono", 3.142592)]
    [InlineData("deeppoly", 3.136734)]
    [InlineData("crown-ibp", 3.501332)]
    public void Kappa_zero_gives_the_golden_abstract_loss(string domain, double expected) =>
        Assert.Equal(expected, Loss(domain, kappa: 0), 5);

    [Fact]
    public void Beta_mixing_in_the_training_loss()
    {
        Assert.Equal(4.744470, Loss("crown-ibp", 0, beta: 0), 5);
        Assert.Equal(4.105476, Loss("crown-ibp", 0, beta: 0.5), 5);
    }

    [Fact]
    public void Kappa_mixes_natural_and_abstract_and_l1_adds_weight_norms()
    {
        using var net = GoldenNetwork.Create();
        double natural = nn.functional.cross_entropy(net.forward(GoldenNetwork.Input()), GoldenNetwork.Label()).item<float>();
        Assert.Equal(natural, Loss("box", kappa: 1), 5);
        Assert.Equal(0.25 * natural + 0.75 * 4.744470, Loss("box", kappa: 0.25), 5);
        double l1 = net.WeightTensors.Sum(w => w.abs().sum().item<float>());
        Assert.Equal(natural + 1e-3 * l1, Loss("box", kappa: 1, l1: 1e-3), 4);
    }

    [Fact]
    public void Kappa_one_computes_no_bounds()
    {
        using var net = GoldenNetwork.Create();
        var r = CertifiedLoss.Compute(net, GoldenNetwork.Input(), GoldenNetwork.Label(), new LossSettings(GoldenNetwork.Domain("deeppoly"), 0.1, 1.0, 1.0));
        Assert.Null(r.Certified);
    }
}
