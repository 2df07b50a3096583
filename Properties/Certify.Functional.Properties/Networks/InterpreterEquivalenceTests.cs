using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Samples;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Networks;

/// <summary>Generated (declared) and interpreted networks of the same architecture have the same parameter
/// names and give identical outputs for the same weights.</summary>
public class InterpreterEquivalenceTests : TorchTest
{
    public static TheoryData<int> CatalogIndices() => [.. Enumerable.Range(0, NetworkCatalog.All.Count)];

    [Theory]
    [MemberData(nameof(CatalogIndices))]
    public void Generated_and_interpreted_forward_agree_exactly(int index)
    {
        var entry = NetworkCatalog.All[index];
        using var scope = NewDisposeScope();
        using var generated = entry.Create();
        Assert.IsNotType<InterpretedNetwork>(generated);
        using var interpreted = new InterpretedNetwork(entry.Description);
        Assert.Equal(generated.state_dict().Keys.Order(), interpreted.state_dict().Keys.Order());
        foreach (var scale in new[] { 1.0, 4.0 })
        {
            using (no_grad())
            {
                foreach (var (name, p) in generated.named_parameters()) p.mul_(scale);
                interpreted.load_state_dict(generated.state_dict());
            }
            var x = rand([16, .. entry.Input.Dims.Select(d => (long)d)]);
            var a = generated.forward(x);
            var b = interpreted.forward(x);
            Assert.Equal(new long[] { 16, 10 }, a.shape);
            Assert.True(TorchTest.Same(a, b), $"{entry.Name} {entry.Input}: outputs differ by {(a - b).abs().max().item<float>()}");
        }
    }
}
