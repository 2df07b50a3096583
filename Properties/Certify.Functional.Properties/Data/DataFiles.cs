using System.Buffers.Binary;
using System.IO.Compression;
using LanguageExt;
using LanguageExt.Common;

namespace Certify.Functional.Properties.Data;

/// <summary>Test helpers: writers of IDX/CIFAR files (correct or deliberately broken), and
/// assertions on <see cref="Fin{A}"/>.</summary>
static class DataFiles
{
    /// <summary>An IDX image file image-by-image; <paramref name="announced"/> overrides the count in the header.</summary>
    public static byte[] Images(int count, int rows, int cols, int? announced = null, uint magic = 0x803) =>
        [.. Header(magic, announced ?? count, rows, cols), .. Pixels(count * rows * cols)];

    public static byte[] Labels(byte[] labels, int? announced = null, uint magic = 0x801) =>
        [.. Header(magic, announced ?? labels.Length), .. labels];

    /// <summary>Deterministic pixel bytes: i·37 mod 256, except 255 at every i ≡ 6 (mod 7), so 0 and 255 both occur.</summary>
    public static byte[] Pixels(int n) => Enumerable.Range(0, n).Select(i => (byte)(i % 7 == 6 ? 255 : i * 37 % 256)).ToArray();

    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(bytes);
        return output.ToArray();
    }

    public static byte[] Gunzip(Stream stream)
    {
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>A CIFAR-10 record: label, then channel-major planes with pixel (c, p) = (17·i + 50·c + p) mod 256.</summary>
    public static byte[] CifarRecord(int i, byte label) =>
        [label, .. Enumerable.Range(0, 3 * 1024).Select(k => CifarPixel(i, k / 1024, k % 1024))];

    public static byte CifarPixel(int i, int channel, int position) => (byte)((17 * i + 50 * channel + position) % 256);

    static byte[] Header(uint magic, params int[] dims)
    {
        var header = new byte[4 + 4 * dims.Length];
        BinaryPrimitives.WriteUInt32BigEndian(header, magic);
        for (int d = 0; d < dims.Length; d++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * d), dims[d]);
        return header;
    }

    public static T Succ<T>(Fin<T> fin) => fin.Match(Succ: v => v, Fail: e => throw new Xunit.Sdk.XunitException($"Expected success, got {e}"));

    /// <summary>Asserts a failure with <paramref name="code"/> whose message contains every fragment.</summary>
    public static Error Fail<T>(Fin<T> fin, int code, params string[] fragments)
    {
        var error = fin.Match(Succ: v => throw new Xunit.Sdk.XunitException($"Expected error {code}, got success {v}"), Fail: e => e);
        Assert.Equal(code, error.Code);
        foreach (var fragment in fragments) Assert.Contains(fragment, error.Message);
        return error;
    }
}
