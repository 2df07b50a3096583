using Certify.Functional.Errors;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Functional.Data;

/// <summary>Reader of the CIFAR-10 binary version (<c>cifar-10-batches-bin</c>): each record is one label byte
/// followed by 3072 pixel bytes, channel-major (1024 R, 1024 G, 1024 B), each plane 32×32 row-major.</summary>
public static class Cifar10
{
    /// <summary>Bytes of one record: 1 label + 3·32·32 pixels.</summary>
    public const int RecordSize = 1 + PixelsPerImage;
    /// <summary>Pixel bytes of one image, [3, 32, 32].</summary>
    public const int PixelsPerImage = 3 * 32 * 32;

    /// <summary>The batch files of a split: <c>data_batch_1.bin</c> … <c>data_batch_5.bin</c> or <c>test_batch.bin</c>.</summary>
    public static IReadOnlyList<string> FileNames(Split split) => split == Split.Train
        ? ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"]
        : ["test_batch.bin"];

    /// <summary>Reads one batch file. Failures: MissingFile, UnreadableFile, TruncatedFile (size not a multiple of
    /// 3073 bytes).</summary>
    public static Fin<CifarBatch> ReadBatch(string path) =>
        DataFile.Read(path, "a CIFAR-10 binary batch such as data_batch_1.bin (records of 1 + 3072 bytes)")
            .Bind(bytes => Parse(bytes, path));

    /// <summary>Reads one batch from <paramref name="stream"/> (not disposed); <paramref name="displayName"/> names
    /// the source in error messages.</summary>
    public static Fin<CifarBatch> ReadBatch(Stream stream, string displayName) =>
        DataFile.Read(stream, displayName).Bind(bytes => Parse(bytes, displayName));

    /// <summary>Reads and concatenates every batch of <paramref name="split"/> from <paramref name="dataDir"/>
    /// (or its <c>cifar-10-batches-bin</c> subdirectory). A directory holding none of the batch files gives
    /// NoDataFiles; a missing batch among present ones gives MissingFile.</summary>
    public static Fin<CifarBatch> ReadSplit(string dataDir, Split split)
    {
        var nested = Path.Combine(dataDir, "cifar-10-batches-bin");
        var dir = Directory.Exists(nested) ? nested : dataDir;
        const string fix = "download the binary version from https://www.cs.toronto.edu/~kriz/cifar.html, " +
                           "extract it and pass its directory as --data-dir";
        if (!Directory.Exists(dir))
            return FinFail<CifarBatch>(Error.New(ErrorCodes.MissingFile,
                $"CIFAR-10 data directory '{dataDir}' does not exist. Expected a directory with data_batch_1..5.bin " +
                $"and test_batch.bin. Fix: {fix}."));
        var all = FileNames(Split.Train).Concat(FileNames(Split.Test)).ToArray();
        if (!all.Any(f => File.Exists(Path.Combine(dir, f))))
            return FinFail<CifarBatch>(Error.New(ErrorCodes.NoDataFiles,
                $"CIFAR-10 data directory '{dir}' holds none of the expected files: looked for {string.Join(", ", all)}. " +
                $"Fix: {fix}."));
        return FileNames(split)
            .Aggregate(FinSucc(Seq<CifarBatch>()), (acc, file) =>
                from read in acc from batch in ReadBatch(Path.Combine(dir, file)) select read.Add(batch))
            .Map(read => new CifarBatch(Concat(read.Map(b => b.Pixels)), Concat(read.Map(b => b.Labels))));
    }

    static byte[] Concat(Seq<byte[]> parts)
    {
        var all = new byte[parts.Sum(p => p.Length)];
        int offset = 0;
        foreach (var part in parts) { part.CopyTo(all, offset); offset += part.Length; }
        return all;
    }

    static Fin<CifarBatch> Parse(byte[] bytes, string name)
    {
        if (bytes.Length == 0 || bytes.Length % RecordSize != 0)
            return FinFail<CifarBatch>(Error.New(ErrorCodes.TruncatedFile,
                $"CIFAR-10 batch '{name}' is truncated or ill-sized: expected a non-zero multiple of {RecordSize} bytes " +
                $"(1 label + {PixelsPerImage} pixels per record, 10000 records = {10000 * RecordSize} bytes), the file holds " +
                $"{bytes.Length} bytes ({bytes.Length / RecordSize} whole records + {bytes.Length % RecordSize} bytes). " +
                "Fix: re-download the binary version of CIFAR-10."));
        int n = bytes.Length / RecordSize;
        var labels = new byte[n];
        var pixels = new byte[n * PixelsPerImage];
        for (int i = 0; i < n; i++)
        {
            labels[i] = bytes[i * RecordSize];
            bytes.AsSpan(i * RecordSize + 1, PixelsPerImage).CopyTo(pixels.AsSpan(i * PixelsPerImage));
        }
        return FinSucc(new CifarBatch(pixels, labels));
    }
}
