using Certify.Functional.Data;
using Certify.Functional.Layers;
using TorchSharp;
using static Certify.Functional.Properties.Data.DataFiles;

namespace Certify.Functional.Properties.Data;

/// <summary>Dataset assembly from files, raw vs gzip, and batching into tensors.</summary>
public sealed class DatasetTests : IDisposable
{
    readonly TempDir dir = new();
    static readonly byte[] LabelBytes = [3, 1, 4, 1, 5];

    public DatasetTests() => torch.set_num_threads(1);
    public void Dispose() => dir.Dispose();

    Dataset WriteAndLoad(string subdir, bool gzip, bool gzExtension)
    {
        var path = Directory.CreateDirectory(System.IO.Path.Combine(dir.Path, subdir)).FullName;
        void Write(string stem, byte[] bytes) => System.IO.File.WriteAllBytes(
            System.IO.Path.Combine(path, stem + (gzExtension ? ".gz" : "")), gzip ? Gzip(bytes) : bytes);
        Write("train-images-idx3-ubyte", Images(5, 4, 3));
        Write("train-labels-idx1-ubyte", Labels(LabelBytes));
        return Succ(DatasetCatalog.Load("mnist", path, Split.Train));
    }

    [Fact]
    public void Raw_and_gzip_files_give_identical_datasets()
    {
        var raw = WriteAndLoad("raw", gzip: false, gzExtension: false);
        var gz = WriteAndLoad("gz", gzip: true, gzExtension: true);
        var gzNoExtension = WriteAndLoad("gz-by-content", gzip: true, gzExtension: false);   // detected by content
        foreach (var other in new[] { gz, gzNoExtension })
        {
            Assert.Equal(raw.Shape, other.Shape);
            Assert.Equal(raw.Pixels, other.Pixels);
            Assert.Equal(raw.Labels, other.Labels);
        }
        Assert.Equal(Shape.Of(1, 4, 3), raw.Shape);
        Assert.Equal(Pixels(60), raw.Pixels);
        Assert.Equal(LabelBytes, raw.Labels);
    }

    [Fact]
    public void Batch_is_float32_in_unit_interval_with_exact_values_and_int64_labels()
    {
        var data = WriteAndLoad("batch", gzip: true, gzExtension: true);
        using var scope = torch.NewDisposeScope();
        var (x, y) = data.Batch([4, 0, 2]);
        Assert.Equal(torch.ScalarType.Float32, x.dtype);
        Assert.Equal(new long[] { 3, 1, 4, 3 }, x.shape);
        Assert.Equal(torch.ScalarType.Int64, y.dtype);
        Assert.Equal(new long[] { 3 }, y.shape);
        Assert.Equal(new long[] { 5, 3, 4 }, y.data<long>().ToArray());
        Assert.True(x.min().item<float>() >= 0f && x.max().item<float>() <= 1f);
        var values = x.data<float>().ToArray();
        int[] indices = [4, 0, 2];
        for (int b = 0; b < 3; b++)
            for (int j = 0; j < 12; j++)
                Assert.Equal(data.Pixels[indices[b] * 12 + j] / 255f, values[b * 12 + j]);
        Assert.Equal(1f, x[0, 0, 0, 0].item<float>());   // example 4, pixel 0 is byte 48 of the file: 255
        Assert.Equal(0f, x[1, 0, 0, 0].item<float>());   // example 0, pixel 0: byte 0
        Assert.Equal(37f / 255f, x[1, 0, 0, 1].item<float>());
        var (onCpu, _) = data.Batch([2], torch.CPU);          // example 2 is batch position 2 above
        Assert.Equal(DeviceType.CPU, onCpu.device_type);
        Assert.Equal(values[24..36], onCpu.data<float>().ToArray());
    }

    [Fact]
    public void Batch_rejects_out_of_range_indices()
    {
        var data = WriteAndLoad("range", gzip: false, gzExtension: false);
        using var scope = torch.NewDisposeScope();
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Batch([0, 5]));
    }

    [Fact]
    public void Take_and_label_counts()
    {
        var data = WriteAndLoad("take", gzip: false, gzExtension: false);
        var first = data.Take(2);
        Assert.Equal(2, first.Count);
        Assert.Equal(data.Pixels[..24], first.Pixels);
        Assert.Equal(new byte[] { 3, 1 }, first.Labels);
        Assert.Equal(5, data.Take(99).Count);
        Assert.Equal(0, data.Take(-1).Count);
        Assert.Equal(new[] { 0, 2, 0, 1, 1, 1, 0, 0, 0, 0 }, data.LabelCounts());
    }
}
