using Certify.Functional.Errors;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Samples;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Networks;

public class StateDictTests : TorchTest
{
    static CatalogEntry Entry(string name) =>
        NetworkCatalog.Find(name, Shape.Of(1, 28, 28)).Match(e => e, e => throw new Xunit.Sdk.XunitException(e.Message));

    [Fact]
    public void Save_then_load_gives_identical_outputs()
    {
        var dir = TempDir();
        try
        {
            using var scope = NewDisposeScope();
            var entry = Entry("FC-SMALL");
            using var a = entry.Create();
            var path = Path.Combine(dir, "a.pt");
            Assert.True(StateDict.Save(a, path).IsSucc);
            using var b = entry.Create();                       // different random initialization
            var x = rand(8, 1, 28, 28);
            Assert.False(TorchTest.Same(a.forward(x), b.forward(x)));
            Assert.True(StateDict.Load(b, path).IsSucc);
            Assert.True(TorchTest.Same(a.forward(x), b.forward(x)));
        }
        finally { Directory.Delete(dir, true); }
    }

    [SharedFact]
    public void Reference_checkpoint_loads_into_the_declared_FC()
    {
        using var net = Entry("FC").Create();
        var result = StateDict.Load(net, SharedFiles.Pretrained("mnist_FC_box"));
        Assert.True(result.IsSucc, result.Match(_ => "", e => e.Message));
        var names = net.state_dict().Keys.ToHashSet();
        Assert.Contains("layers.0.mean", names);
        Assert.Contains("layers.10.weight", names);
    }

    [SharedFact]
    public void Wrong_architecture_names_missing_misshaped_and_unexpected_keys()
    {
        using var net = Entry("FC-SMALL").Create();
        var error = StateDict.Load(net, SharedFiles.Pretrained("mnist_FC_box")).Match(_ => throw new Xunit.Sdk.XunitException("expected failure"), e => e);
        var errors = error.AsEnumerable().ToList();
        Assert.Contains(errors, e => e.Code == ErrorCodes.ParameterShape && e.Message.Contains("'layers.2.weight' has shape [400, 784]") && e.Message.Contains("[100, 784]"));
        Assert.Contains(errors, e => e.Code == ErrorCodes.UnexpectedParameter && e.Message.Contains("'layers.10.weight'"));
        using var bigger = Entry("FC").Create();
        var small = TempDir();
        try
        {
            Assert.True(StateDict.Save(net, Path.Combine(small, "s.pt")).IsSucc);
            var missing = StateDict.Load(bigger, Path.Combine(small, "s.pt")).Match(_ => throw new Xunit.Sdk.XunitException("expected failure"), e => e.AsEnumerable().ToList());
            Assert.Contains(missing, e => e.Code == ErrorCodes.MissingParameter && e.Message.Contains("'layers.10.bias'"));
        }
        finally { Directory.Delete(small, true); }
    }

    [Fact]
    public void Missing_and_truncated_files_are_named_errors()
    {
        using var net = Entry("FC").Create();
        var missing = StateDict.Load(net, "/nonexistent/model.pt").Match(_ => throw new Xunit.Sdk.XunitException("expected failure"), e => e);
        Assert.Equal(ErrorCodes.MissingFile, missing.Code);
        Assert.Contains("/nonexistent/model.pt", missing.Message);

        var dir = TempDir();
        try
        {
            var truncated = Path.Combine(dir, "truncated.pt");
            var whole = Path.Combine(dir, "whole.pt");
            using (var other = Entry("FC").Create()) Assert.True(StateDict.Save(other, whole).IsSucc);
            var bytes = File.ReadAllBytes(whole);
            File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
            var before = net.state_dict()["layers.2.weight"].clone();
            var error = StateDict.Load(net, truncated).Match(_ => throw new Xunit.Sdk.XunitException("expected failure"), e => e);
            Assert.Equal(ErrorCodes.UnreadableFile, error.Code);
            Assert.Contains("truncated.pt", error.Message);
            Assert.True(TorchTest.Same(before, net.state_dict()["layers.2.weight"]), "a failed load must not change the network");
        }
        finally { Directory.Delete(dir, true); }
    }
}
