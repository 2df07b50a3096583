using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Verification;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Relaxations;

/// <summary>
/// Certification with per-logit bounds (<c>--spec eye</c>, the FC DeepZ rows of Table 2) goes through the float64 final
/// check like every certificate: the differences layer applied after the per-logit element must be built in the bounds'
/// precision (a float32 layer on float64 bounds failed with "expected scalar type Float but found Double" as soon as one
/// image passed the float32 test). Zonotopes are exact under affine maps, so eye and diffs certify the same images; for
/// Box and hBox applying C after the last layer is never tighter than merging it in (|C|·|W| ≥ |C·W|), so eye certifies a subset.
/// </summary>
public sealed class EyeSpecCertifyTests : TorchTest
{
    static InterpretedNetwork Network(bool endsInDense)
    {
        manual_seed(21);
        var layers = new List<LayerDeclaration> { new FlattenDeclaration(), new DenseDeclaration(24), new ReluDeclaration(), new DenseDeclaration(10) };
        if (!endsInDense) layers.Add(new ReluDeclaration());
        var net = new InterpretedNetwork(NetworkDescription.Declared(endsInDense ? "dense-last" : "relu-last", Shape.Of(1, 28, 28), layers.ToArray()));
        net.eval();
        return net;
    }

    [Theory]
    [InlineData("box", true)]
    [InlineData("hbox", true)]
    [InlineData("zono", true)]
    [InlineData("deeppoly", true)]
    [InlineData("box", false)]
    [InlineData("zono", false)]
    [InlineData("deeppoly", false)]
    public void Per_logit_certificates_pass_the_float64_check(string name, bool endsInDense)
    {
        using var scope = NewDisposeScope();
        using var net = Network(endsInDense);
        manual_seed(5);
        var x = rand(200, 1, 28, 28);
        var y = net.forward(x).argmax(1);                           // the network's own labels: every image is a candidate
        var domain = Domain.Parse(name).Match(d => d, e => throw new Xunit.Sdk.XunitException(e.Message));
        var diffs = Verifier.Certify(net, x, y, 0.002, domain, SpecKind.Diffs).data<bool>().ToArray();
        var eye = Verifier.Certify(net, x, y, 0.002, domain, SpecKind.Eye).data<bool>().ToArray();
        Assert.True(diffs.Count(c => c) > 0 && diffs.Count(c => !c) > 0, $"{name}: {diffs.Count(c => c)}/200 certified — the check is vacuous");
        if (name == "zono") Assert.Equal(diffs, eye);
        if (name is "box" or "hbox")
            Assert.True(eye.Zip(diffs).All(p => !p.Item1 || p.Item2), $"{name}: eye certifies an image that diffs does not");
        Assert.True(eye.Count(c => c) > 0, $"{name}: eye certifies nothing");
    }
}
