using Certify.Functional.Errors;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Cli;

/// <summary>Output folders are checked before any work starts, so that an unwritable --out is found in a second, not
/// after hours of training or LP solving.</summary>
public static class OutputCheck
{
    /// <summary>Creates <paramref name="folder"/> if needed, writes and removes a probe file in it, and removes the
    /// folders it created (the run creates them again when it writes).</summary>
    public static Fin<Unit> Writable(string folder)
    {
        string? created = null;
        try
        {
            var full = Path.GetFullPath(folder);
            for (var dir = full; dir is not null && !Directory.Exists(dir); dir = Path.GetDirectoryName(dir))
                created = dir;                                         // the outermost folder that does not exist yet
            Directory.CreateDirectory(full);
            var probe = Path.Combine(full, $".certify-probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, [1]);
            File.Delete(probe);
            if (created is not null) Directory.Delete(created, recursive: true);
            return FinSucc(unit);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return FinFail<Unit>(Error.New(ErrorCodes.UnwritableOutput,
                $"Cannot write to the output folder '{folder}': {e.Message} Choose another --out."));
        }
    }
}
