using Certify.Functional.Data;
using Certify.Functional.Errors;
using static Certify.Functional.Properties.Data.DataFiles;

namespace Certify.Functional.Properties.Data;

/// <summary>One deliberately broken file per named error: the code is right and the message names the file and
/// what was expected.</summary>
public sealed class CorruptDataTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    [Fact]
    public void Missing_file_names_the_file_and_the_expected_kind()
    {
        var path = dir.File("train-images-idx3-ubyte");
        Fail(Idx.ReadImages(path), ErrorCodes.MissingFile, path, "train-images-idx3-ubyte[.gz]", "0x00000803");
    }

    [Fact]
    public void Missing_images_in_a_data_dir_names_both_candidates()
    {
        System.IO.File.WriteAllBytes(dir.File("train-labels-idx1-ubyte"), Labels([1, 2]));
        Fail(DatasetCatalog.Load("mnist", dir.Path, Split.Train), ErrorCodes.MissingFile,
            "train-images-idx3-ubyte[.gz]", dir.File("train-images-idx3-ubyte.gz"), "--data-dir");
    }

    [Fact]
    public void Wrong_magic_states_expected_and_actual_numbers()
    {
        var path = dir.File("train-images-idx3-ubyte");
        System.IO.File.WriteAllBytes(path, Labels([1, 2, 3]));          // a labels file where images belong
        Fail(Idx.ReadImages(path), ErrorCodes.WrongMagic, path, "expected 0x00000803", "got 0x00000801");
    }

    [Fact]
    public void Wrong_magic_in_labels_file()
    {
        var path = dir.File("t10k-labels-idx1-ubyte.gz");
        System.IO.File.WriteAllBytes(path, Gzip(Images(1, 2, 2)));
        Fail(Idx.ReadLabels(path), ErrorCodes.WrongMagic, path, "expected 0x00000801", "got 0x00000803");
    }

    [Fact]
    public void Truncated_images_file_states_announced_and_held_sizes()
    {
        var path = dir.File("train-images-idx3-ubyte");
        System.IO.File.WriteAllBytes(path, Images(count: 2, rows: 28, cols: 28, announced: 3));
        Fail(Idx.ReadImages(path), ErrorCodes.TruncatedFile, path, "3 images of 28×28 = 2352 pixel bytes", "holds 1568");
    }

    [Fact]
    public void Truncated_header_is_reported()
    {
        var path = dir.File("train-images-idx3-ubyte");
        System.IO.File.WriteAllBytes(path, Images(0, 28, 28)[..10]);
        Fail(Idx.ReadImages(path), ErrorCodes.TruncatedFile, path, "header of 16 bytes", "holds 10 bytes");
    }

    [Fact]
    public void Truncated_labels_file_states_announced_and_held_sizes()
    {
        var path = dir.File("train-labels-idx1-ubyte.gz");
        System.IO.File.WriteAllBytes(path, Gzip(Labels([1, 2, 3], announced: 5)));
        Fail(Idx.ReadLabels(path), ErrorCodes.TruncatedFile, path, "5 labels = 5 bytes", "holds 3");
    }

    [Fact]
    public void Trailing_data_is_rejected_as_ill_sized()
    {
        var path = dir.File("train-labels-idx1-ubyte");
        System.IO.File.WriteAllBytes(path, Labels([1, 2, 3], announced: 2));
        Fail(Idx.ReadLabels(path), ErrorCodes.TruncatedFile, path, "ill-sized", "2 labels = 2 bytes", "holds 3");
    }

    [Fact]
    public void Count_mismatch_between_images_and_labels()
    {
        System.IO.File.WriteAllBytes(dir.File("train-images-idx3-ubyte"), Images(3, 28, 28));
        System.IO.File.WriteAllBytes(dir.File("train-labels-idx1-ubyte.gz"), Gzip(Labels([0, 1, 2, 3])));
        Fail(DatasetCatalog.Load("mnist", dir.Path, Split.Train), ErrorCodes.CountMismatch,
            dir.File("train-images-idx3-ubyte"), dir.File("train-labels-idx1-ubyte.gz"), "3 images vs 4 labels");
    }

    [Fact]
    public void Data_dir_without_idx_files_lists_what_was_looked_for()
    {
        System.IO.File.WriteAllText(dir.File("README.txt"), "not data");
        Fail(DatasetCatalog.Load("fashion-mnist", dir.Path, Split.Test), ErrorCodes.NoDataFiles,
            dir.Path, "t10k-images-idx3-ubyte[.gz]", "train-labels-idx1-ubyte[.gz]", "apt-get install dataset-fashion-mnist");
    }

    [Fact]
    public void Absent_data_dir_is_a_missing_file_with_the_install_fix()
    {
        var absent = dir.File("no-such-dir");
        Fail(DatasetCatalog.Load("fashion-mnist", absent, Split.Train), ErrorCodes.MissingFile,
            absent, "apt-get install dataset-fashion-mnist or pass --data-dir");
    }

    [Fact]
    public void Ill_sized_cifar_batch_states_record_size_and_file_size()
    {
        var path = dir.File("test_batch.bin");
        System.IO.File.WriteAllBytes(path, [.. CifarRecord(0, 3), .. CifarRecord(1, 4), .. new byte[100]]);
        Fail(Cifar10.ReadBatch(path), ErrorCodes.TruncatedFile, path, "multiple of 3073 bytes", "holds 6246 bytes");
        Fail(DatasetCatalog.Load("cifar10", dir.Path, Split.Test), ErrorCodes.TruncatedFile, path);
    }

    [Fact]
    public void Missing_cifar_batch_names_it()
    {
        System.IO.File.WriteAllBytes(dir.File("test_batch.bin"), CifarRecord(0, 1));
        Fail(DatasetCatalog.Load("cifar10", dir.Path, Split.Train), ErrorCodes.MissingFile, dir.File("data_batch_1.bin"));
    }

    [Fact]
    public void Cifar_dir_without_batches_lists_what_was_looked_for() =>
        Fail(DatasetCatalog.Load("CIFAR10", dir.Path, Split.Test), ErrorCodes.NoDataFiles,
            dir.Path, "data_batch_1.bin", "data_batch_5.bin", "test_batch.bin");

    [Fact]
    public void Cifar_without_data_dir_asks_for_one() =>
        Fail(DatasetCatalog.Load("cifar10", null, Split.Test), ErrorCodes.MissingFile, "--data-dir");

    [Fact]
    public void Unknown_dataset_lists_known_names()
    {
        Fail(DatasetCatalog.Load("svhn", null, Split.Train), ErrorCodes.UnknownDataset, "'svhn'", "mnist, fashion-mnist, cifar10");
        Fail(DatasetCatalog.NormalizationOf("imagenet"), ErrorCodes.UnknownDataset, "'imagenet'");
    }

    [Fact]
    public void Corrupt_gzip_is_unreadable_not_an_exception()
    {
        var path = dir.File("train-images-idx3-ubyte.gz");
        // a valid gzip header followed by a deflate block of the reserved type 11
        System.IO.File.WriteAllBytes(path, [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff, 0x07, 1, 2, 3, 4, 5, 6]);
        Fail(Idx.ReadImages(path), ErrorCodes.UnreadableFile, path, "gzip");
    }

    [Fact]
    public void Cut_gzip_stream_is_reported_as_truncated()
    {
        var path = dir.File("train-images-idx3-ubyte.gz");
        var whole = Gzip(Images(50, 28, 28));
        System.IO.File.WriteAllBytes(path, whole[..(whole.Length / 2)]);
        Fail(Idx.ReadImages(path), ErrorCodes.TruncatedFile, path, "50 images of 28×28 = 39200 pixel bytes");
    }
}
