using Certify.Functional.Data;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Training;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification;
using Certify.Functional.Samples;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Pipeline;

public class PgdTests : TorchTest
{
    static NetworkModule Pretrained(string model)
    {
        var net = NetworkCatalog.Find("FC", Shape.Of(1, 28, 28)).Match(e => e, e => throw new Xunit.Sdk.XunitException(e.Message)).Create();
        StateDict.Load(net, SharedFiles.Pretrained(model)).Match(_ => 0, e => throw new Xunit.Sdk.XunitException(e.Message));
        return net;
    }

    static (Tensor X, Tensor Y) Images(int n)
    {
        var data = DatasetCatalog.Load("mnist", null, Split.Test).Match(d => d, e => throw new Xunit.Sdk.XunitException(e.Message));
        return data.Batch(Enumerable.Range(0, n).ToArray());
    }

    [SharedTheory]
    [InlineData("mnist_FC_box", "box")]
    [InlineData("mnist_FC_crown", "deeppoly")]
    public void Pgd_never_breaks_a_certified_image(string model, string domain)
    {
        using var scope = NewDisposeScope();
        using var net = Pretrained(model);
        var (x, y) = Images(60);
        var certified = Verifier.Certify(net, x, y, 0.3, Domain.Parse(domain).Match(d => d, e => throw new Xunit.Sdk.XunitException(e.Message)));
        var (robust, adversarial) = Pgd.Attack(net, x, y, 0.3, new PgdOptions(Steps: 30, Restarts: 2), new Generator(7));
        Assert.True(certified.sum().item<long>() > 0, "some images are certified, so the check is not vacuous");
        Assert.False(certified.logical_and(robust.logical_not()).any().item<bool>(), "PGD broke a certified image");
        Assert.True((adversarial - x).abs().max().item<float>() <= 0.3f + 1e-6f, "perturbation outside the ε-ball");
        Assert.True(adversarial.min().item<float>() >= 0 && adversarial.max().item<float>() <= 1, "outside [0, 1]");
    }

    [SharedFact]
    public void Pgd_breaks_images_a_natural_attack_should_break_and_is_deterministic()
    {
        using var scope = NewDisposeScope();
        using var net = Pretrained("mnist_FC_zono");
        var (x, y) = Images(60);
        var clean = net.forward(x).argmax(1).eq(y).sum().item<long>();
        var (a, _) = Pgd.Attack(net, x, y, 0.3, new PgdOptions(Steps: 30), new Generator(3));
        var (b, _) = Pgd.Attack(net, x, y, 0.3, new PgdOptions(Steps: 30), new Generator(3));
        Assert.True(a.sum().item<long>() < clean, "at ε 0.3 PGD must break some correctly classified images");
        Assert.True(Same(a, b), "same generator seed, same result");
    }
}
