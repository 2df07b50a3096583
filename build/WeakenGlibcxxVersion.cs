// MSBuild inline task (RoslynCodeTaskFactory), run after the copy to the output folder on Linux.
//
// Why: libLibTorchSharp.so of TorchSharp 0.107.0 was linked with GCC >= 13 and lists the symbol version
// GLIBCXX_3.4.32 as required. Debian 12's libstdc++ stops at GLIBCXX_3.4.30, so the loader refuses the library
// and TorchSharp reports a misleading "no reference to libtorch-cpu-linux-x64". The only symbol under that
// version is std::ios_base_library_init(), a version marker that no relocation uses. Marking the requirement
// weak (VER_FLG_WEAK in the Vernaux entry of .gnu.version_r) makes the loader accept the library.
// The file is rewritten through a temporary copy and a rename, so a hard link into the NuGet cache is never
// written through. Idempotent: an entry that is already weak is left alone.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenGlibcxxVersion : Task
{
    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();
    public string VersionName { get; set; } = "GLIBCXX_3.4.32";

    public override bool Execute()
    {
        foreach (var item in Files)
        {
            var path = item.ItemSpec;
            if (!File.Exists(path)) continue;
            var bytes = File.ReadAllBytes(path);
            int changed = Weaken(bytes, VersionName);
            if (changed < 0) { Log.LogWarning("'{0}' is not a 64-bit little-endian ELF file; not patched.", path); continue; }
            if (changed == 0) continue;
            var tmp = path + ".cfpatch.tmp";
            File.WriteAllBytes(tmp, bytes);
            File.Delete(path);            // break a hard link into the NuGet cache instead of writing through it
            File.Move(tmp, path);
            Log.LogMessage(MessageImportance.High, "Marked {0} weak in {1} (Debian 12 libstdc++ lacks it).", VersionName, path);
        }
        return !Log.HasLoggedErrors;
    }

    /// <returns>number of entries changed, or -1 when the file is not ELF64 LE.</returns>
    static int Weaken(byte[] b, string name)
    {
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F' || b[4] != 2 || b[5] != 1)
            return -1;
        long shoff = BitConverter.ToInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A), shnum = BitConverter.ToUInt16(b, 0x3C);
        const uint ShtGnuVerneed = 0x6ffffffe;
        const ushort VerFlgWeak = 0x2;
        int changed = 0;
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(b, (int)sh + 4) != ShtGnuVerneed) continue;
            long offset = BitConverter.ToInt64(b, (int)sh + 0x18);
            int link = (int)BitConverter.ToUInt32(b, (int)sh + 0x28);
            int count = (int)BitConverter.ToUInt32(b, (int)sh + 0x2C);
            long strtab = BitConverter.ToInt64(b, (int)(shoff + (long)link * shentsize) + 0x18);
            long vn = offset;
            for (int n = 0; n < count; n++)
            {
                int cnt = BitConverter.ToUInt16(b, (int)vn + 2);
                long aux = vn + BitConverter.ToUInt32(b, (int)vn + 8);
                for (int a = 0; a < cnt; a++)
                {
                    ushort flags = BitConverter.ToUInt16(b, (int)aux + 4);
                    long nameAt = strtab + BitConverter.ToUInt32(b, (int)aux + 8);
                    if (ReadCString(b, nameAt) == name && (flags & VerFlgWeak) == 0)
                    {
                        var nf = BitConverter.GetBytes((ushort)(flags | VerFlgWeak));
                        b[aux + 4] = nf[0]; b[aux + 5] = nf[1];
                        changed++;
                    }
                    uint next = BitConverter.ToUInt32(b, (int)aux + 12);
                    if (next == 0) break;
                    aux += next;
                }
                uint vnNext = BitConverter.ToUInt32(b, (int)vn + 12);
                if (vnNext == 0) break;
                vn += vnNext;
            }
        }
        return changed;
    }

    static string ReadCString(byte[] b, long at)
    {
        int end = (int)at;
        while (end < b.Length && b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, (int)at, end - (int)at);
    }
}
