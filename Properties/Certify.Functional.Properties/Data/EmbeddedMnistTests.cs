using Certify.Functional.Data;
using Certify.Functional.Layers;
using static Certify.Functional.Properties.Data.DataFiles;

namespace Certify.Functional.Properties.Data;

/// <summary>The embedded 8,000/2,000 MNIST subset (Core/Data/mnist-subset/README.md).</summary>
public sealed class EmbeddedMnistTests
{
    [Theory]
    [InlineData(Split.Train, 8000)]
    [InlineData(Split.Test, 2000)]
    public void Has_the_documented_size_shape_and_labels(Split split, int count)
    {
        var data = Succ(DatasetCatalog.Load("MNIST", null, split));
        Assert.Equal(count, data.Count);
        Assert.Equal(Shape.Of(1, 28, 28), data.Shape);
        Assert.Equal(count * 784, data.Pixels.Length);
        Assert.All(data.Labels, label => Assert.InRange(label, (byte)0, (byte)9));
        var counts = data.LabelCounts();
        Assert.Equal(10, counts.Length);
        Assert.All(counts, c => Assert.True(c > 0, "every digit is present"));
        Assert.Equal(count, counts.Sum());
        Assert.Equal(Normalization.Gray(0.1307, 0.3081), data.Normalization);
    }

    [Fact]
    public void First_test_label_matches_the_embedded_file_read_independently()
    {
        using var resource = typeof(Dataset).Assembly.GetManifestResourceStream("mnist-subset/t10k-labels-idx1-ubyte.gz")!;
        var raw = Gunzip(resource);
        Assert.Equal(new byte[] { 0, 0, 8, 1 }, raw[..4]);
        var data = Succ(DatasetCatalog.Load("mnist", null, Split.Test));
        Assert.Equal(raw[8], data.Labels[0]);
        Assert.Equal(raw[8..], data.Labels);
    }

    [Fact]
    public void Train_and_test_images_differ()
    {
        var train = Succ(DatasetCatalog.Load("mnist", null, Split.Train));
        var test = Succ(DatasetCatalog.Load("mnist", null, Split.Test));
        Assert.NotEqual(train.Pixels[..784], test.Pixels[..784]);
        Assert.InRange(train.Pixels.Average(b => b / 255.0), 0.10, 0.16);   // MNIST's mean is 0.1307
    }
}
