using System.Buffers.Binary;
using Certify.Functional.Errors;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Functional.Data;

/// <summary>Reader of the IDX format of MNIST and Fashion-MNIST (big-endian header, uint8 payload), raw or
/// gzip-compressed (detected by content, not by extension).</summary>
public static class Idx
{
    /// <summary>Magic number of an IDX image file: unsigned byte data, three dimensions.</summary>
    public const uint ImagesMagic = 0x00000803;
    /// <summary>Magic number of an IDX label file: unsigned byte data, one dimension.</summary>
    public const uint LabelsMagic = 0x00000801;

    const string ImagesExpected = "an IDX image file such as train-images-idx3-ubyte[.gz] (magic 0x00000803)";
    const string LabelsExpected = "an IDX label file such as train-labels-idx1-ubyte[.gz] (magic 0x00000801)";

    /// <summary>Reads an IDX image file. Failures: MissingFile, UnreadableFile, WrongMagic, TruncatedFile.</summary>
    public static Fin<IdxImages> ReadImages(string path) =>
        DataFile.Read(path, ImagesExpected).Bind(bytes => ParseImages(bytes, path));

    /// <summary>Reads IDX images from <paramref name="stream"/> (not disposed); <paramref name="displayName"/>
    /// names the source in error messages.</summary>
    public static Fin<IdxImages> ReadImages(Stream stream, string displayName) =>
        DataFile.Read(stream, displayName).Bind(bytes => ParseImages(bytes, displayName));

    /// <summary>Reads an IDX label file. Any byte value is accepted (labels &gt; 9 included).
    /// Failures: MissingFile, UnreadableFile, WrongMagic, TruncatedFile.</summary>
    public static Fin<byte[]> ReadLabels(string path) =>
        DataFile.Read(path, LabelsExpected).Bind(bytes => ParseLabels(bytes, path));

    /// <summary>Reads IDX labels from <paramref name="stream"/> (not disposed); <paramref name="displayName"/>
    /// names the source in error messages.</summary>
    public static Fin<byte[]> ReadLabels(Stream stream, string displayName) =>
        DataFile.Read(stream, displayName).Bind(bytes => ParseLabels(bytes, displayName));

    static Fin<IdxImages> ParseImages(byte[] bytes, string name) =>
        from _ in Header(bytes, name, ImagesMagic, 16, "IDX image")
        let count = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4))
        let rows = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8))
        let cols = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(12))
        from payload in Payload(bytes, name, 16, (long)count * rows * cols,
            $"{count} images of {rows}×{cols} = {(ulong)count * rows * cols} pixel bytes")
        select new IdxImages((int)count, (int)rows, (int)cols, payload);

    static Fin<byte[]> ParseLabels(byte[] bytes, string name) =>
        from _ in Header(bytes, name, LabelsMagic, 8, "IDX label")
        let count = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4))
        from payload in Payload(bytes, name, 8, count, $"{count} labels = {count} bytes")
        select payload;

    static Fin<Unit> Header(byte[] bytes, string name, uint magic, int headerSize, string kind)
    {
        if (bytes.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(bytes) is var got && got != magic)
            return FinFail<Unit>(Error.New(ErrorCodes.WrongMagic,
                $"{kind} file '{name}' has the wrong magic number: expected 0x{magic:X8}, got 0x{got:X8}. " +
                "Fix: check that the images and labels files are not swapped and that the file is in IDX format."));
        if (bytes.Length < headerSize)
            return FinFail<Unit>(Error.New(ErrorCodes.TruncatedFile,
                $"{kind} file '{name}' is truncated: expected a header of {headerSize} bytes (magic 0x{magic:X8}), " +
                $"the file holds {bytes.Length} bytes. Fix: re-download the file."));
        return FinSucc(unit);
    }

    static Fin<byte[]> Payload(byte[] bytes, string name, int headerSize, long expected, string announced)
    {
        long held = bytes.Length - headerSize;
        if (held == expected) return FinSucc(bytes.AsSpan(headerSize).ToArray());
        return FinFail<byte[]>(Error.New(ErrorCodes.TruncatedFile, held < expected
            ? $"IDX file '{name}' is truncated: the header announces {announced}, the file holds {held}. Fix: re-download the file."
            : $"IDX file '{name}' is ill-sized: the header announces {announced}, the file holds {held} (trailing data). " +
              "Fix: re-download the file; do not append to IDX files."));
    }
}
