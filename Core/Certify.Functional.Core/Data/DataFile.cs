using Certify.Functional.Errors;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Functional.Data;

/// <summary>The one edge where data files meet the file system: reads a whole file or stream into memory,
/// inflating it when its content starts with the gzip signature 1f 8b (whatever the extension says), and turns
/// I/O exceptions into <see cref="Fin{A}"/> failures. Everything after this is total parsing of bytes.</summary>
static class DataFile
{
    /// <summary>The file's (decompressed) bytes, or MissingFile naming <paramref name="expected"/>.</summary>
    public static Fin<byte[]> Read(string path, string expected)
    {
        if (!File.Exists(path))
            return FinFail<byte[]>(Error.New(ErrorCodes.MissingFile,
                $"Data file '{path}' does not exist. Expected {expected}. Fix: check the path or the data directory."));
        try
        {
            using var stream = File.OpenRead(path);
            return ReadCore(stream);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return Unreadable(path, ex);
        }
    }

    /// <summary>The stream's (decompressed) bytes; the stream is read to its end but not disposed.</summary>
    public static Fin<byte[]> Read(Stream stream, string displayName)
    {
        try { return ReadCore(stream); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return Unreadable(displayName, ex);
        }
    }

    static byte[] ReadCore(Stream stream)
    {
        using var raw = new MemoryStream();
        stream.CopyTo(raw);
        return Runtime.Gzip.Inflate(raw.ToArray());
    }

    static Fin<byte[]> Unreadable(string name, Exception ex) =>
        FinFail<byte[]>(Error.New(ErrorCodes.UnreadableFile,
            $"Data file '{name}' cannot be read: {ex.GetType().Name}: {ex.Message}. Expected a readable IDX/CIFAR file " +
            "(raw or gzip). Fix: check permissions, or re-download the file if the gzip stream is corrupt."));
}
