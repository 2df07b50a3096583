using System.IO.Compression;

namespace Certify.Functional.Runtime;

/// <summary>Gzip-transparent reading: the project's files (IDX/CIFAR data, ONNX networks, VNN-LIB properties) may be
/// gzip-compressed whatever their names say; the content decides (the magic bytes 1f 8b).</summary>
public static class Gzip
{
    /// <summary>True when <paramref name="bytes"/> start with the gzip magic bytes.</summary>
    public static bool IsGzip(ReadOnlySpan<byte> bytes) => bytes is [0x1f, 0x8b, ..];

    /// <summary><paramref name="bytes"/> inflated when they are gzip, else themselves. A damaged or truncated stream
    /// throws <see cref="InvalidDataException"/> (or <see cref="IOException"/>): callers name the file.</summary>
    public static byte[] Inflate(byte[] bytes)
    {
        if (!IsGzip(bytes)) return bytes;
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var inflated = new MemoryStream();
        gzip.CopyTo(inflated);
        return inflated.ToArray();
    }
}
