using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Ibp;
using Certify.Functional.Relaxations.Shared;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Relaxations;

/// <summary>The Box of the last layer with the differences merged: the all-pairs path (large batches) and the merged
/// per-example path (small batches) give the same bounds as DenseBox over SpecLayer.Merge, and the pairs of y with
/// itself never leak into the result.</summary>
public sealed class SpecDenseBoxTests : TorchTest
{
    [Theory]
    [InlineData(1, 10)]      // K² > B(K − 1): merged rows
    [InlineData(64, 10)]     // pairs
    [InlineData(3, 2)]       // two classes: 4 ≤ 3, pairs
    public void Equals_the_merged_dense_box(int batch, int classes)
    {
        using var scope = NewDisposeScope();
        var last = new Dense(randn(classes, 30) * 3, randn(classes));
        var x = new Box(randn(batch, 30), rand(batch, 30));
        var y = randint(classes, [batch], dtype: int64);
        var spec = Spec.Diffs(y, classes);
        var expected = DenseBox.Propagate(SpecLayer.Merge(last, spec), x);
        var actual = SpecDenseBox.Propagate(last, x, spec);
        Assert.Equal(expected.Center.shape, actual.Center.shape);
        Assert.True(actual.Center.allclose(expected.Center, rtol: 1e-5, atol: 1e-5), "centers");
        Assert.True(actual.Radius.allclose(expected.Radius, rtol: 1e-5, atol: 1e-5), "radii");
        Assert.True(actual.Radius.gt(0).all().item<bool>(), "no pair (y, y) selected: every radius is positive");
    }

    [Fact]
    public void Per_logit_specification_is_the_plain_layer()
    {
        using var scope = NewDisposeScope();
        var last = new Dense(randn(10, 30), randn(10));
        var x = new Box(randn(50, 30), rand(50, 30));
        var actual = SpecDenseBox.Propagate(last, x, Spec.Eye(randint(10, [50], dtype: int64)));
        var expected = DenseBox.Propagate(last, x);
        Assert.True(Same(actual.Center, expected.Center) && Same(actual.Radius, expected.Radius));
    }
}
