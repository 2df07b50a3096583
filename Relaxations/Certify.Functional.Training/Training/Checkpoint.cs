using Certify.Functional.Runtime;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Certify.Functional.Errors;
using Certify.Functional.Networks;
using LanguageExt;
using LanguageExt.Common;
using TorchSharp.Modules;
using static LanguageExt.Prelude;

namespace Certify.Functional.Training;

/// <summary>Where a run stands: everything besides weights and optimizer state that a resumed run needs. Data order,
/// ε/κ/β and learning rates are pure functions of (seed, epoch, batch), so positions are enough.</summary>
/// <param name="Step">Optimizer steps completed.</param>
/// <param name="Epoch">0-based epoch in progress.</param>
/// <param name="Batch">Batches of <paramref name="Epoch"/> completed.</param>
/// <param name="Tally">Running sums of the epoch in progress.</param>
/// <param name="Epochs">Every completed epoch.</param>
/// <param name="Seconds">Wall time of the run so far (training and evaluation).</param>
public sealed record TrainingState(long Step, int Epoch, int Batch, EpochTally Tally, IReadOnlyList<EpochStats> Epochs, double Seconds)
{
    /// <summary>A run that has not started.</summary>
    public static TrainingState Start { get; } = new(0, 0, 0, EpochTally.Empty, [], 0);
}

/// <summary>A checkpoint as read back.</summary>
/// <param name="Config">The run's configuration.</param>
/// <param name="State">The run's position.</param>
public sealed record CheckpointHeader(TrainConfig Config, TrainingState State);

/// <summary>
/// Full training checkpoints: configuration, position, weights and optimizer state (Adam moments and step counts) in one
/// file written atomically. Layout (version 2): magic "CFCKPT2\n", int64 total length, int32 header length, UTF-8 JSON
/// header, the module's state (TorchSharp format), the optimizer's state, SHA-256 of every byte before it, trailer
/// "CFCKEND\n". A file shorter than its stated length or without the trailer is reported as truncated, one whose checksum
/// differs (a flipped byte, an edited header) as damaged, before anything is read into the network. Version-1 files
/// (no checksum) are still read. Saving keeps the previous checkpoint as <c>last.prev.ckpt</c> beside <c>last.ckpt</c>,
/// so a damaged file loses at most one checkpoint interval (<see cref="Resolve"/> falls back to it).
/// </summary>
public static class Checkpoint
{
    static readonly byte[] Magic = "CFCKPT2\n"u8.ToArray();
    static readonly byte[] MagicV1 = "CFCKPT1\n"u8.ToArray();
    static readonly byte[] Trailer = "CFCKEND\n"u8.ToArray();
    const int HashLength = 32;

    /// <summary>The file name of the newest checkpoint in a run's <c>checkpoints/</c> folder.</summary>
    public const string LastName = "last.ckpt";
    /// <summary>The file name of the checkpoint before it.</summary>
    public const string PreviousName = "last.prev.ckpt";

    /// <summary>The newest checkpoint of the run in <paramref name="runFolder"/>.</summary>
    public static string LastIn(string runFolder) => Path.Combine(runFolder, "checkpoints", LastName);

    /// <summary>Writes the checkpoint atomically (temporary file, flush, rename), first keeping the current one as
    /// <c>last.prev.ckpt</c> in the same folder.</summary>
    public static Fin<Unit> Save(string path, TrainConfig config, TrainingState state, NetworkModule network, OptimizerHelper optimizer)
    {
        try
        {
            using var body = new MemoryStream();
            using (var writer = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
            {
                var header = JsonSerializer.SerializeToUtf8Bytes(new CheckpointHeader(config, state), RunReport.Json);
                writer.Write(Magic);
                writer.Write(0L);                           // total length, patched below
                writer.Write(header.Length);
                writer.Write(header);
                network.save(writer);
                optimizer.save_state_dict(writer);
                writer.Flush();
                long total = body.Length + HashLength + Trailer.Length;
                body.Position = Magic.Length;
                writer.Write(total);
                writer.Flush();
                body.Position = body.Length;
                writer.Write(SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length)));
                writer.Write(Trailer);
            }
            if (File.Exists(path)) File.Move(path, Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, PreviousName), overwrite: true);
            var bytes = body.GetBuffer().AsSpan(0, (int)body.Length).ToArray();
            AtomicFile.Write(path, stream => stream.Write(bytes), bytes.Length);
            return FinSucc(unit);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return FinFail<Unit>(Error.New(ErrorCodes.WriteFailed, e is OutputWriteException ? e.Message : $"Cannot write checkpoint '{path}': {e.Message}"));
        }
    }

    /// <summary>Reads the configuration and position only (validates the whole file's framing and checksum first).</summary>
    public static Fin<CheckpointHeader> ReadHeader(string path) => Open(path).Map(t => t.Header);

    /// <summary>The checkpoint to resume from: <paramref name="path"/> itself when it is a file; for a run folder its
    /// <c>checkpoints/last.ckpt</c>, or, when that one is missing or damaged, <c>last.prev.ckpt</c> (one interval
    /// earlier) with a note saying so.</summary>
    public static Fin<ResumePoint> Resolve(string path)
    {
        if (!Directory.Exists(path)) return ReadHeader(path).Map(h => new ResumePoint(path, h, null));
        var last = LastIn(path);
        var previous = Path.Combine(path, "checkpoints", PreviousName);
        var newest = ReadHeader(last);
        if (newest.IsSucc || !File.Exists(previous)) return newest.Map(h => new ResumePoint(last, h, null));
        var why = newest.Match(_ => "", e => e.Message);
        return ReadHeader(previous).Match(
            Succ: h => FinSucc(new ResumePoint(previous, h,
                $"{why} Using the previous checkpoint '{previous}' (step {h.State.Step}) instead: at most one checkpoint interval is lost.")),
            Fail: e => FinFail<ResumePoint>(Error.New(newest.Match(_ => 0, f => f.Code), $"{why} The previous checkpoint cannot be used either: {e.Message}")));
    }

    /// <summary>Reads the checkpoint into <paramref name="network"/> and <paramref name="optimizer"/> (created with the
    /// checkpoint's configuration) and returns its header.</summary>
    public static Fin<CheckpointHeader> Load(string path, NetworkModule network, OptimizerHelper optimizer) =>
        Open(path).Bind(t =>
        {
            try
            {
                using var reader = new BinaryReader(new MemoryStream(t.Bytes, t.BodyStart, t.BodyEnd - t.BodyStart));
                network.load(reader, strict: true);
                optimizer.load_state_dict(reader);
                return FinSucc(t.Header);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return FinFail<CheckpointHeader>(Error.New(ErrorCodes.UnreadableFile,
                    $"Checkpoint '{path}' does not fit this network/optimizer: {e.Message}"));
            }
        });

    static Fin<(CheckpointHeader Header, byte[] Bytes, int BodyStart, int BodyEnd)> Open(string path)
    {
        if (!File.Exists(path))
            return FinFail<(CheckpointHeader, byte[], int, int)>(Error.New(ErrorCodes.MissingFile, $"Checkpoint '{path}' does not exist."));
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { return FinFail<(CheckpointHeader, byte[], int, int)>(Error.New(ErrorCodes.UnreadableFile, $"Cannot read checkpoint '{path}': {e.Message}")); }

        Fin<(CheckpointHeader, byte[], int, int)> Bad(int code, string why) => FinFail<(CheckpointHeader, byte[], int, int)>(Error.New(code, $"Checkpoint '{path}' {why}"));
        bool v2 = bytes.AsSpan().StartsWith(Magic), v1 = bytes.AsSpan().StartsWith(MagicV1);
        if (bytes.Length < Magic.Length + 12 || !(v1 || v2))
            return bytes.Length < Magic.Length + 12 && Magic.AsSpan(0, Math.Min(bytes.Length, Magic.Length - 2)).SequenceEqual(bytes.AsSpan(0, Math.Min(bytes.Length, Magic.Length - 2)))
                ? Bad(ErrorCodes.TruncatedFile, $"is truncated ({bytes.Length} bytes): the run was interrupted while writing it, or the copy is incomplete.")
                : Bad(ErrorCodes.WrongMagic, "is not a Certify.Functional training checkpoint (wrong magic). Weights-only files (.pt) cannot be resumed.");
        long total = BitConverter.ToInt64(bytes, Magic.Length);
        if (total != bytes.Length || !bytes.AsSpan(bytes.Length - Trailer.Length).SequenceEqual(Trailer))
            return Bad(ErrorCodes.TruncatedFile, $"is truncated or damaged ({bytes.Length} of {total} bytes).");
        int bodyEnd = bytes.Length - Trailer.Length - (v2 ? HashLength : 0);
        if (v2 && !SHA256.HashData(bytes.AsSpan(0, bodyEnd)).AsSpan().SequenceEqual(bytes.AsSpan(bodyEnd, HashLength)))
            return Bad(ErrorCodes.ChecksumMismatch, "is damaged: its SHA-256 checksum does not match its content (a changed byte in the weights or an edited header).");
        int headerLength = BitConverter.ToInt32(bytes, Magic.Length + 8);
        int headerStart = Magic.Length + 12;
        if (headerLength <= 0 || headerStart + headerLength > bodyEnd)
            return Bad(ErrorCodes.TruncatedFile, "has a damaged header.");
        try
        {
            var header = JsonSerializer.Deserialize<CheckpointHeader>(bytes.AsSpan(headerStart, headerLength), RunReport.Json);
            return header is null ? Bad(ErrorCodes.UnreadableFile, "has an empty header.") : FinSucc((header, bytes, headerStart + headerLength, bodyEnd));
        }
        catch (JsonException e) { return Bad(ErrorCodes.UnreadableFile, $"has an unreadable header: {e.Message}"); }
    }
}

/// <summary>The checkpoint a run resumes from, its header, and a note when it is not the newest (that one was damaged).</summary>
public sealed record ResumePoint(string Path, CheckpointHeader Header, string? Note);
