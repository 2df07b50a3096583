using Certify.Functional.Runtime;

namespace Certify.Functional.Properties.Runtime;

/// <summary>A full disk while writing: the previous file stays, no temporary file is left, and the error names the path
/// and the bytes needed (issue 15: disk full exited 2 and left a temp file). The disk is a stream that fails as a full one
/// does (scripts/hostile-cli.sh also fills a real tmpfs when run as root).</summary>
public sealed class AtomicFileTests
{
    sealed class FullDisk(string path, long capacity) : FileStream(path, FileMode.Create, FileAccess.Write)
    {
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Position + buffer.Length > capacity) throw new IOException("No space left on device");
            base.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    }

    [Fact]
    public void A_full_disk_keeps_the_old_file_removes_the_temporary_one_and_says_what_was_needed()
    {
        var dir = Path.Combine(Path.GetTempPath(), "cf-atomic-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var target = Path.Combine(dir, "results.json");
            File.WriteAllText(target, "old");
            var ex = Assert.Throws<OutputWriteException>(() =>
                AtomicFile.Write(target, s => s.Write(new byte[5000]), 5000, tmp => new FullDisk(tmp, 1000)));
            Assert.Equal("old", File.ReadAllText(target));
            Assert.Equal(["results.json"], Directory.GetFiles(dir).Select(Path.GetFileName));
            Assert.Contains(target, ex.Message);
            Assert.Contains("No space left on device", ex.Message);
            Assert.Contains("5,000 bytes needed", ex.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
