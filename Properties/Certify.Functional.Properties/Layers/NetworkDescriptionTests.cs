using Certify.Functional.Layers;
using Certify.Functional.Samples;

namespace Certify.Functional.Properties.Layers;

public class NetworkDescriptionTests
{
    [Theory]
    [InlineData("FC", 1, 28, 425_410)]
    [InlineData("FC-SMALL", 1, 28, 89_610)]
    [InlineData("CONV", 1, 28, 314_982)]
    [InlineData("CONVPLUS", 1, 28, 329_606)]
    [InlineData("CONV", 3, 32, 411_494)]
    [InlineData("CONVPLUS", 3, 32, 470_918)]
    public void Catalog_networks_have_the_papers_parameter_counts(string name, int channels, int size, long parameters)
    {
        var entry = NetworkCatalog.Find(name, Shape.Of(channels, size, size)).Match(e => e, e => throw new Xunit.Sdk.XunitException(e.Message));
        Assert.Equal(parameters, entry.Description.ParameterCount);
        Assert.Equal(Shape.Of(10), entry.Description.Output);
    }

    [Fact]
    public void Conv_output_size_follows_floor_formula()
    {
        var d = NetworkDescription.Declared("t", Shape.Of(1, 28, 28), new Conv2dDeclaration(16, 4, 2, 1), new Conv2dDeclaration(8, 3, 2, 0));
        Assert.Equal(Shape.Of(16, 14, 14), d.Layers[0].Output);
        Assert.Equal(Shape.Of(8, 6, 6), d.Layers[1].Output);
    }

    [Fact]
    public void Build_reports_every_problem_at_once()
    {
        var result = NetworkDescription.Build("bad", Shape.Of(1, 28, 28),
        [
            new NormalizeDeclaration([0.1, 0.2], [0.3, 0.4]),   // 2 constants for 1 channel
            new DenseDeclaration(10),                          // Dense on an image: no Flatten
            new FlattenDeclaration(),
            new DenseDeclaration(0),                           // non-positive size
            new Conv2dDeclaration(4, 3, 1, 0),                 // Conv after Flatten
        ]);
        var errors = result.Match(_ => throw new Xunit.Sdk.XunitException("expected failure"), e => e.ToList());
        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.Message.Contains("2 means") && e.Message.Contains("layer 0"));
        Assert.Contains(errors, e => e.Message.Contains("Insert a Flatten") && e.Message.Contains("layer 1"));
        Assert.Contains(errors, e => e.Message.Contains("must be > 0") && e.Message.Contains("layer 3"));
        Assert.Contains(errors, e => e.Message.Contains("cannot follow Flatten") && e.Message.Contains("layer 4"));
    }

    [Fact]
    public void Kernel_larger_than_padded_input_is_rejected()
    {
        var result = NetworkDescription.Build("k", Shape.Of(1, 4, 4), [new Conv2dDeclaration(2, 7, 1, 1)]);
        var error = Assert.Single(result.Match(_ => throw new Xunit.Sdk.XunitException("expected failure"), e => e.ToList()));
        Assert.Contains("kernel 7 is larger than the padded input 6×6", error.Message);
    }

    [Fact]
    public void Json_round_trip_gives_the_same_description()
    {
        foreach (var entry in NetworkCatalog.All)
        {
            var json = NetworkJson.ToJson(entry.Description);
            var back = NetworkJson.Parse(json).Match(d => d, e => throw new Xunit.Sdk.XunitException(string.Join("; ", e.Select(x => x.Message))));
            Assert.Equal(entry.Description, back);
        }
    }

    [Fact]
    public void Json_errors_name_the_layer_and_what_was_expected()
    {
        var result = NetworkJson.Parse("""{ "name": "x", "input": [1, 28, 28], "layers": [ { "type": "flatten" }, { "type": "pool" }, { "type": "dense" } ] }""", "x.json");
        var errors = result.Match(_ => throw new Xunit.Sdk.XunitException("expected failure"), e => e.ToList());
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Contains("x.json", e.Message));
        Assert.Contains(errors, e => e.Message.Contains("layers[1]") && e.Message.Contains("pool"));
        Assert.Contains(errors, e => e.Message.Contains("layers[2]"));
        Assert.False(NetworkJson.Parse("{ not json", "broken.json").IsSuccess);
    }
}
