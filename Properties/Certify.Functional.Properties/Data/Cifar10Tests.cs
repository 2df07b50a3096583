using Certify.Functional.Data;
using Certify.Functional.Layers;
using TorchSharp;
using static Certify.Functional.Properties.Data.DataFiles;

namespace Certify.Functional.Properties.Data;

/// <summary>The CIFAR-10 binary reader on small synthetic batch files.</summary>
public sealed class Cifar10Tests : IDisposable
{
    readonly TempDir dir = new();
    public Cifar10Tests() => torch.set_num_threads(1);
    public void Dispose() => dir.Dispose();

    [Fact]
    public void Reads_labels_and_channel_major_pixels()
    {
        var path = dir.File("test_batch.bin");
        System.IO.File.WriteAllBytes(path, [.. CifarRecord(0, 7), .. CifarRecord(1, 2), .. CifarRecord(2, 9)]);
        var batch = Succ(Cifar10.ReadBatch(path));
        Assert.Equal(3, batch.Count);
        Assert.Equal(new byte[] { 7, 2, 9 }, batch.Labels);
        for (int i = 0; i < 3; i++)
            for (int c = 0; c < 3; c++)
                foreach (int p in new[] { 0, 1, 31, 32, 1023 })
                    Assert.Equal(CifarPixel(i, c, p), batch.Pixels[i * 3072 + c * 1024 + p]);
    }

    [Fact]
    public void Train_split_concatenates_five_batches_in_order_and_batches_as_chw()
    {
        for (int k = 1; k <= 5; k++)
            System.IO.File.WriteAllBytes(dir.File($"data_batch_{k}.bin"), CifarRecord(k, (byte)k));
        var data = Succ(DatasetCatalog.Load("cifar10", dir.Path, Split.Train));
        Assert.Equal(Shape.Of(3, 32, 32), data.Shape);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, data.Labels);
        Assert.Equal(new Normalization([0.4914, 0.4822, 0.4465], [0.2023, 0.1994, 0.2010]), data.Normalization);

        using var scope = torch.NewDisposeScope();
        var (x, y) = data.Batch([2]);
        Assert.Equal(new long[] { 1, 3, 32, 32 }, x.shape);
        Assert.Equal(3L, y[0].item<long>());
        // channel c, row h, column w is plane position 32·h + w of record k = 3
        foreach (var (c, h, w) in new[] { (0, 0, 0), (1, 0, 5), (2, 31, 31), (1, 7, 3) })
            Assert.Equal(CifarPixel(3, c, 32 * h + w) / 255f, x[0, c, h, w].item<float>());
    }

    [Fact]
    public void Finds_the_extracted_cifar_10_batches_bin_subdirectory()
    {
        var nested = Directory.CreateDirectory(dir.File("cifar-10-batches-bin")).FullName;
        System.IO.File.WriteAllBytes(System.IO.Path.Combine(nested, "test_batch.bin"), [.. CifarRecord(0, 4), .. CifarRecord(1, 6)]);
        Assert.Equal(new byte[] { 4, 6 }, Succ(DatasetCatalog.Load("cifar10", dir.Path, Split.Test)).Labels);
    }
}
