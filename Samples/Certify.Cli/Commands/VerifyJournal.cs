using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Certify.Functional.Errors;
using Certify.Functional.Runtime;
using Certify.Functional.Verification;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Cli.Commands;

/// <summary>The per-image results of <c>certify verify</c> as they are computed, so that a stopped run continues where it
/// stopped (issue 15): &lt;out&gt;/journal/config.json (what the run certifies: model file hash, ε, domains, spec, images,
/// batch size, …) and one CSV per domain, &lt;out&gt;/journal/&lt;k&gt;.csv (k = the domain's position in --domains), with a row
/// per image (img, certified, refused by the float64 check, seconds, lower bounds lb0 …), appended and flushed to disk
/// per batch. A rerun with the same configuration continues from the last whole batch (batches start at the same
/// images, so the bounds are the same bit for bit); another configuration is refused unless --force. Under an MPI job rank 0
/// alone reads and writes it (the other ranks learn from rank 0 where each domain continues), so a run stopped under N
/// ranks continues under any number.</summary>
sealed class VerifyJournal
{
    /// <summary>The journal folder's name inside the output folder.</summary>
    public const string FolderName = "journal";

    readonly string folder;

    VerifyJournal(string folder) => this.folder = folder;

    /// <summary>The configuration that must match for a run to continue: (key, label shown to the user, value).</summary>
    public static IReadOnlyList<(string Key, string Label, string Value)> Fingerprint(VerifyConfig config, string network, IEnumerable<string> domains, int images)
    {
        var inv = CultureInfo.InvariantCulture;
        return
        [
            ("modelSha256", "model file (SHA-256)", Sha256(config.Model)),
            ("network", "network", network),
            ("architectureSha256", "--arch file (SHA-256)", config.ArchitectureFile is { } a ? Sha256(a) : ""),
            ("dataset", "dataset", config.Dataset),
            ("dataDir", "--data-dir", config.DataDir is { } d ? Path.GetFullPath(d) : ""),
            ("eps", "ε", config.Eps.ToString("R", inv)),
            ("domains", "domains", string.Join(",", domains)),
            ("spec", "spec", config.Spec),
            ("images", "images", images.ToString(inv)),
            ("batchSize", "batch size", config.BatchSize.ToString(inv)),
            ("keepNormalization", "--keep-normalization", config.KeepNormalization ? "yes" : "no"),
            ("float64Check", "float64 check", config.Float64Check ? "yes" : "no"),
            ("device", "device", config.Device),
        ];
    }

    static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The journal of <paramref name="outDir"/>: continued when it was written with <paramref name="fingerprint"/>,
    /// started when there is none (or with <paramref name="force"/>, after removing the old one and the old results),
    /// refused (<see cref="ErrorCodes.OutputFolderInUse"/>) when the folder holds a verify run of another configuration.
    /// Resumed says whether an earlier journal is continued.</summary>
    public static Fin<(VerifyJournal Journal, bool Resumed)> Open(string outDir, IReadOnlyList<(string Key, string Label, string Value)> fingerprint, bool force)
    {
        var folder = Path.Combine(outDir, FolderName);
        var configFile = Path.Combine(folder, "config.json");
        bool hasJournal = File.Exists(configFile);
        bool hasResults = File.Exists(Path.Combine(outDir, "results.json"));
        if ((hasJournal || hasResults) && !force)
        {
            var stored = hasJournal ? Read(configFile) : null;
            var differences = stored is null ? null : fingerprint
                .Where(f => !stored.TryGetValue(f.Key, out var v) || v != f.Value)
                .Select(f => f.Key.EndsWith("Sha256", StringComparison.Ordinal)
                    ? $"another {f.Label}"
                    : $"{f.Label} {Show(stored.GetValueOrDefault(f.Key))} there, {Show(f.Value)} here")
                .ToList();
            if (differences is null)
                return FinFail<(VerifyJournal, bool)>(Error.New(ErrorCodes.OutputFolderInUse,
                    $"'{outDir}' holds verification results without a journal of their configuration; choose a new --out, or pass --force to replace them."));
            if (differences.Count > 0)
                return FinFail<(VerifyJournal, bool)>(Error.New(ErrorCodes.OutputFolderInUse,
                    $"'{outDir}' holds a verify run with another configuration ({string.Join("; ", differences)}); " +
                    "rerun with its options to continue it, choose a new --out, or pass --force to start over."));
            return FinSucc((new VerifyJournal(folder), true));
        }
        if (force)
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            foreach (var name in new[] { "results.json", "summary.md", "per_image.csv", "lower_bounds.csv" })
                File.Delete(Path.Combine(outDir, name));
        }
        Directory.CreateDirectory(folder);
        var json = JsonSerializer.Serialize(fingerprint.ToDictionary(f => f.Key, f => f.Value), new JsonSerializerOptions { WriteIndented = true });
        AtomicFile.WriteAllText(configFile, json + "\n");
        return FinSucc((new VerifyJournal(folder), false));
    }

    static string Show(string? value) => string.IsNullOrEmpty(value) ? "(none)" : value;

    static Dictionary<string, string>? Read(string configFile)
    {
        try { return JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(configFile)); }
        catch (JsonException) { return null; }
    }

    /// <summary>Domain <paramref name="index"/>'s results so far (whole batches only; a torn tail from a killed run is cut
    /// off) and a writer for the rest.</summary>
    public DomainJournal Domain(int index, string name, int images, int width, int batchSize) =>
        new(Path.Combine(folder, $"{index}.csv"), name, images, width, batchSize);
}

/// <summary>One domain's journal file: what is done and the appending of new batches. Each batch reaches the operating
/// system before the next starts (a killed process loses at most the batch in flight) and the disk at least every
/// 2 s and when the journal is closed (a power cut loses at most 2 s).</summary>
sealed class DomainJournal : IDisposable
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    readonly int width;
    readonly FileStream stream;
    readonly System.Diagnostics.Stopwatch sinceSync = System.Diagnostics.Stopwatch.StartNew();

    /// <summary>Lower bounds [images, width] (rows below <see cref="Done"/> filled).</summary>
    public float[] LowerBounds { get; }
    /// <summary>Certified per image.</summary>
    public bool[] Certified { get; }
    /// <summary>Refused by the float64 check per image.</summary>
    public bool[] Refused { get; }
    /// <summary>Images done (a multiple of the batch size, or all).</summary>
    public int Done { get; private set; }
    /// <summary>Certification time of the images done, over every session.</summary>
    public double Seconds { get; private set; }

    internal DomainJournal(string path, string name, int images, int width, int batchSize)
    {
        this.width = width;
        LowerBounds = new float[images * width];
        Certified = new bool[images];
        Refused = new bool[images];
        var header = Header(name);
        var bytes = File.Exists(path) ? File.ReadAllBytes(path) : [];
        var text = Encoding.UTF8.GetString(bytes);
        int offset = 0, rows = 0;
        var seconds = new List<double>();
        if (text.StartsWith(header, StringComparison.Ordinal))
        {
            offset = header.Length;
            while (rows < images)
            {
                int end = text.IndexOf('\n', offset);
                if (end < 0 || !Parse(text.AsSpan(offset, end - offset), rows, out double s)) break;
                seconds.Add(s);
                rows++;
                offset = end + 1;
            }
        }
        Done = rows == images ? rows : rows / batchSize * batchSize;
        Seconds = seconds.Take(Done).Sum();
        // Keep the whole batches only: cut the file after row Done (or start it with the header).
        int keep = Done == 0 ? 0 : Encoding.UTF8.GetByteCount(text.AsSpan(0, LineEnd(text, header.Length, Done)));
        stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
        stream.SetLength(keep);
        stream.Seek(0, SeekOrigin.End);
        if (keep == 0) stream.Write(Encoding.UTF8.GetBytes(header));
        stream.Flush(flushToDisk: true);
    }

    static string Header(string name)
    {
        var b = new StringBuilder("# certify verify journal, domain ").Append(name).Append('\n');
        return b.ToString();
    }

    static int LineEnd(string text, int start, int lines)
    {
        int offset = start;
        for (int i = 0; i < lines; i++) offset = text.IndexOf('\n', offset) + 1;
        return offset;
    }

    // img,certified,refused,seconds,lb0,…: the row of image `row`, or false when torn or not that image's.
    bool Parse(ReadOnlySpan<char> line, int row, out double seconds)
    {
        seconds = 0;
        Span<Range> parts = stackalloc Range[width + 5];
        if (line.Split(parts, ',') != width + 4) return false;
        if (!int.TryParse(line[parts[0]], NumberStyles.None, Inv, out int img) || img != row) return false;
        var c = line[parts[1]];
        var r = line[parts[2]];
        if (c is not ("0" or "1") || r is not ("0" or "1")) return false;
        if (!double.TryParse(line[parts[3]], NumberStyles.Float, Inv, out seconds)) return false;
        for (int j = 0; j < width; j++)
        {
            if (!float.TryParse(line[parts[4 + j]], NumberStyles.Float, Inv, out float v)) return false;
            LowerBounds[row * width + j] = v;
        }
        Certified[row] = c is "1";
        Refused[row] = r is "1";
        return true;
    }

    /// <summary>Adds a finished batch (it must start at <see cref="Done"/>) and flushes it to disk.</summary>
    public void Append(CertifiedBatch batch)
    {
        if (batch.Start != Done) throw new InvalidOperationException($"Batch starts at image {batch.Start}, the journal holds {Done}.");
        var b = new StringBuilder();
        double share = batch.Seconds / Math.Max(batch.Size, 1);
        for (int i = 0; i < batch.Size; i++)
        {
            int img = batch.Start + i;
            b.Append(Inv, $"{img},{(batch.Certified[i] ? 1 : 0)},{(batch.Refused[i] ? 1 : 0)},{share.ToString("R", Inv)}");
            for (int j = 0; j < width; j++) b.Append(',').Append(batch.LowerBounds[i * width + j].ToString("R", Inv));
            b.Append('\n');
        }
        batch.LowerBounds.CopyTo(LowerBounds, batch.Start * width);
        batch.Certified.CopyTo(Certified, batch.Start);
        batch.Refused.CopyTo(Refused, batch.Start);
        stream.Write(Encoding.UTF8.GetBytes(b.ToString()));
        bool sync = sinceSync.Elapsed.TotalSeconds >= 2;
        stream.Flush(flushToDisk: sync);
        if (sync) sinceSync.Restart();
        Done += batch.Size;
        Seconds += share * batch.Size;
    }

    /// <summary>Flushes to disk and closes the file.</summary>
    public void Dispose()
    {
        stream.Flush(flushToDisk: true);
        stream.Dispose();
    }
}
