using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Samples;
using TorchSharp;

namespace Certify.Functional.Properties;

/// <summary>The generated networks of the catalog behave exactly like the interpreter running the same description:
/// same parameter names and counts, and bit-identical forward passes with shared weights.</summary>
public class GeneratedNetworkTests
{
    public static TheoryData<int> Entries => new(Enumerable.Range(0, NetworkCatalog.All.Count));

    [Theory]
    [MemberData(nameof(Entries))]
    public void Generated_forward_equals_the_interpreter(int index)
    {
        torch.set_num_threads(1);
        var entry = NetworkCatalog.All[index];
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(17 + index);
        using var generated = entry.Create();
        using var interpreted = new InterpretedNetwork(entry.Description);

        Assert.Equal(
            interpreted.state_dict().Keys.Order(StringComparer.Ordinal),
            generated.state_dict().Keys.Order(StringComparer.Ordinal));
        Assert.Equal(entry.Description.ParameterCount, generated.parameters().Sum(p => p.numel()));
        interpreted.load_state_dict(generated.state_dict());

        using var _ = torch.no_grad();
        var input = torch.rand(entry.Input.Batched(3));
        var expected = interpreted.forward(input);
        var actual = generated.forward(input);
        Assert.Equal(new long[] { 3 }.Concat(entry.Description.Output.Dims.Select(d => (long)d)), actual.shape);
        Assert.True(expected.eq(actual).all().item<bool>(), $"{entry.Name} {entry.Input}: generated and interpreted forward passes differ.");
    }
}
