using System.Globalization;
using System.Text;

namespace Certify.Functional.Runtime;

/// <summary>Writes files so that a crash leaves either the old or the new content, never a torn file:
/// temporary file in the same folder, flush to disk, rename. A failed write (disk full, I/O error) removes the
/// temporary file and throws <see cref="OutputWriteException"/> naming the path, the bytes needed and the space left.</summary>
public static class AtomicFile
{
    /// <summary>Atomically replaces <paramref name="path"/> with <paramref name="text"/> (UTF-8).</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Encoding.UTF8.GetBytes(text));

    /// <summary>Atomically replaces <paramref name="path"/> with <paramref name="bytes"/>.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, stream => stream.Write(copy), copy.Length);
    }

    /// <summary>Atomically replaces <paramref name="path"/> with what <paramref name="write"/> writes into the stream
    /// (<paramref name="expectedBytes"/>, when known, is reported if the disk is full). <paramref name="open"/> opens the
    /// temporary file (tests substitute a stream that fails).</summary>
    public static void Write(string path, Action<Stream> write, long? expectedBytes = null, Func<string, Stream>? open = null)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            Directory.CreateDirectory(dir);
            using (var stream = open?.Invoke(tmp) ?? new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush();
                if (stream is FileStream file) file.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e)
        {
            try { File.Delete(tmp); } catch (Exception) { /* the folder may be gone or read-only: nothing more to clean */ }
            if (e is IOException or UnauthorizedAccessException) throw new OutputWriteException(full, Describe(full, dir, expectedBytes, e), e);
            throw;
        }
    }

    static string Describe(string full, string dir, long? expected, Exception e)
    {
        var inv = CultureInfo.InvariantCulture;
        string needed = expected is { } n ? string.Create(inv, $"; {Size(n)} needed") : "";
        string free = "";
        try { free = string.Create(inv, $", {Size(new DriveInfo(dir).AvailableFreeSpace)} free on its disk"); }
        catch (Exception) { /* no drive information (folder missing): say nothing about space */ }
        return $"Cannot write '{full}': {e.Message}{needed}{free}. Nothing was replaced: the previous version of the file (if any) is intact.";
    }

    static string Size(long bytes) => bytes >= 1 << 20
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:F1} MiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes");
}

/// <summary>An output file could not be written (disk full, permissions, I/O error); its temporary file was removed.</summary>
public sealed class OutputWriteException(string path, string message, Exception inner) : IOException(message, inner)
{
    /// <summary>The file that was being written.</summary>
    public string OutputPath { get; } = path;
}
