using System.Globalization;
using System.Text;
using System.Text.Json;
using Certify.Functional.Errors;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Cli;

/// <summary>Where a command writes (issue 15): default folders unique per run, never into another command's run, and
/// checked writable before any work.</summary>
public static class OutputFolders
{
    /// <summary>A folder under runs/ that does not exist yet: runs/<paramref name="baseName"/>-yyyyMMdd-HHmmss (local
    /// time), with -2, -3, … appended when that exists already.</summary>
    public static string Unique(string baseName) => Unique(baseName, DateTime.Now);

    /// <summary><see cref="Unique(string)"/> at the time <paramref name="now"/>.</summary>
    public static string Unique(string baseName, DateTime now)
    {
        var stem = Path.Combine("runs", $"{Safe(baseName)}-{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
        var folder = stem;
        for (int i = 2; Directory.Exists(folder) || File.Exists(folder); i++) folder = $"{stem}-{i}";
        return folder;
    }

    /// <summary>The default output folder of <paramref name="command"/> on the checkpoint <paramref name="model"/>:
    /// <see cref="Unique(string)"/> of "&lt;command&gt;-&lt;model's folder&gt;-&lt;model's file name&gt;" (runs/verify-run-model-20261202-111400 for
    /// run/model.pt; a model in a checkpoints folder is named after the run folder above it).</summary>
    public static string ForModel(string command, string model) => Unique($"{command}-{ModelName(model)}");

    /// <summary>"&lt;parent folder&gt;-&lt;file name without extension&gt;" of a checkpoint path (the grandparent for run/checkpoints/x.pt).</summary>
    public static string ModelName(string model)
    {
        var full = Path.GetFullPath(model);
        var stem = Path.GetFileNameWithoutExtension(full);
        var parent = Path.GetDirectoryName(full);
        var name = parent is null ? "" : Path.GetFileName(parent);
        if (name == "checkpoints" && Path.GetDirectoryName(parent!) is { } run) name = Path.GetFileName(run);
        return string.IsNullOrEmpty(name) ? stem : $"{name}-{stem}";
    }

    // Letters, digits, '-', '_' and '.'; anything else (spaces, colons of domain options, …) becomes '_'.
    static string Safe(string name)
    {
        var b = new StringBuilder(name.Length);
        foreach (var c in name) b.Append(char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        return b.ToString();
    }

    /// <summary>The run another command wrote into <paramref name="folder"/> (its results.json "kind", or "train" for a
    /// folder with checkpoints/), or null when it holds none or only <paramref name="command"/>'s own outputs.</summary>
    public static string? OtherRun(string folder, string command)
    {
        if (Directory.Exists(Path.Combine(folder, "checkpoints")) || File.Exists(Path.Combine(folder, "checkpoints", "last.ckpt"))) return "train";
        var results = Path.Combine(folder, "results.json");
        if (!File.Exists(results)) return null;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(results));
            var kind = json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String
                ? k.GetString() : null;
            return kind == command ? null : kind ?? "unknown";
        }
        catch (JsonException) { return "unknown"; }
        catch (IOException) { return "unknown"; }
        catch (UnauthorizedAccessException) { return "unknown"; }
    }

    /// <summary>Where <paramref name="command"/> writes: <paramref name="requested"/> (--out), or <see cref="ForModel"/>
    /// when none was given; when the folder holds another command's run (a training run's model.pt, results.json,
    /// checkpoints …) the subfolder &lt;folder&gt;/&lt;command&gt; instead, so that run's files stay as they are. The note says so.</summary>
    public static (string Folder, string? Note) Choose(string command, string? requested, string model)
    {
        if (requested is null) return (ForModel(command, model), null);
        if (OtherRun(requested, command) is not { } other) return (requested, null);
        var sub = Path.Combine(requested, command);
        return (sub, $"'{requested}' holds a {(other == "train" ? "training run" : $"'{other}' run")}; writing into {sub} so its files stay as they are");
    }

    /// <summary>Once every check passed and the work starts: the note of <see cref="Choose"/> and "→ folder" on
    /// <paramref name="err"/> (nothing when <paramref name="quiet"/>).</summary>
    public static void Announce(TextWriter err, bool quiet, string folder, string? note)
    {
        if (quiet) return;
        if (note is not null) err.WriteLine($"note: {note}");
        err.WriteLine($"→ {folder}");
    }

    /// <summary>Creates <paramref name="folder"/> (and its parents) and writes and deletes a probe file in it, before
    /// any work: an error <see cref="ErrorCodes.OutputNotWritable"/> naming the folder and the reason when that fails
    /// (ending with <paramref name="fix"/>).</summary>
    public static Fin<Unit> EnsureWritable(string folder, string fix = "Choose another --out.")
    {
        try
        {
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".certify-probe-{Environment.ProcessId}.tmp");
            using (var stream = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None))
                stream.WriteByte(0);
            File.Delete(probe);
            return FinSucc(unit);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return FinFail<Unit>(Error.New(ErrorCodes.OutputNotWritable, $"cannot write to output folder '{folder}': {Reason(folder, e)}. {fix}"));
        }
    }

    // The telling reason: a file where a folder should be, else the system's message.
    static string Reason(string folder, Exception e)
    {
        for (var path = Path.GetFullPath(folder); !string.IsNullOrEmpty(path); path = Path.GetDirectoryName(path))
        {
            if (File.Exists(path)) return $"'{path}' is a file, not a folder";
            if (Directory.Exists(path)) break;
        }
        return e is UnauthorizedAccessException ? $"permission denied ({e.Message.TrimEnd('.')})" : e.Message.TrimEnd('.');
    }

    /// <summary>The output folder of a command that every rank of a job runs (verify, attack): rank 0 chooses it
    /// (<see cref="Choose"/>), checks it is writable (<see cref="EnsureWritable"/>, printing the error when it is not) and
    /// removes it when the run fails having written nothing (<see cref="Cleaning"/>), then runs <paramref name="body"/>
    /// with the folder and <see cref="Choose"/>'s note. The other ranks touch no file: they run <paramref name="body"/> with
    /// rank 0's folder (and no note), or return <see cref="CliApp.BadInput"/> when rank 0 refused it. One process: exactly
    /// Choose, EnsureWritable and Cleaning.</summary>
    public static int OnRoot(CliOutput output, string command, string? requested, string model, Func<string, string?, int> body)
    {
        var cluster = output.Cluster;
        if (!cluster.IsRoot)
        {
            var chosen = cluster.Broadcast([]);
            return chosen is [1, ..] ? body(Encoding.UTF8.GetString(chosen.AsSpan(1)), null) : CliApp.BadInput;
        }
        var (folder, note) = Choose(command, requested, model);
        return Cleaning(folder, () =>
        {
            return EnsureWritable(folder).Match(
                Succ: _ =>
                {
                    cluster.Broadcast([1, .. Encoding.UTF8.GetBytes(folder)]);
                    return body(folder, note);
                },
                Fail: e =>
                {
                    // Printed before the others hear of it: a rank that exits with an error ends the whole job.
                    int code = output.Fail(e, CliApp.BadInput);
                    cluster.Broadcast([0]);
                    return code;
                });
        });
    }

    /// <summary>Runs <paramref name="body"/> (which writes into <paramref name="folder"/>) and, when it fails (exit code ≠ 0)
    /// and <paramref name="folder"/> did not exist before and is still empty, removes it: a refused command leaves no
    /// empty folder behind.</summary>
    public static int Cleaning(string folder, Func<int> body)
    {
        bool existed = Directory.Exists(folder);
        int code = body();
        try
        {
            if (code != 0 && !existed && Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
                Directory.Delete(folder);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return code;
    }
}
