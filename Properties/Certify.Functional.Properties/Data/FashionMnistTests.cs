using Certify.Functional.Data;
using Certify.Functional.Layers;
using TorchSharp;
using static Certify.Functional.Properties.Data.DataFiles;

namespace Certify.Functional.Properties.Data;

/// <summary>The full Fashion-MNIST test set from Debian's dataset-fashion-mnist (skipped when not installed).</summary>
public sealed class FashionMnistTests
{
    public FashionMnistTests() => torch.set_num_threads(1);

    [FashionMnistFact]
    public void Debian_test_set_has_ten_thousand_balanced_images()
    {
        var data = Succ(DatasetCatalog.Load("fashion-mnist", null, Split.Test));
        Assert.Equal(10_000, data.Count);
        Assert.Equal(Shape.Of(1, 28, 28), data.Shape);
        Assert.All(data.LabelCounts(), c => Assert.Equal(1000, c));
        Assert.Equal(Normalization.Gray(0.2861, 0.3530), data.Normalization);
        // The catalogue's mean (computed on the training set) is within 0.005 of the test set's.
        Assert.InRange(data.Pixels.Average(b => b / 255.0), 0.2811, 0.2911);

        using var scope = torch.NewDisposeScope();
        var (x, y) = data.Batch([0, 9_999]);
        Assert.Equal(new long[] { 2, 1, 28, 28 }, x.shape);
        Assert.Equal(data.Labels[9_999], (byte)y[1].item<long>());
    }
}
