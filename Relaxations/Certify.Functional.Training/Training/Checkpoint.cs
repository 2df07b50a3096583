using Certify.Functional.Runtime;
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
/// file written atomically. Layout: magic "CFCKPT1\n", int64 total length, int32 header length, UTF-8 JSON header,
/// the module's state (TorchSharp format), the optimizer's state, trailer "CFCKEND\n". A file that is shorter than its
/// stated length or lacks the trailer is reported as truncated before anything is read into the network.
/// </summary>
public static class Checkpoint
{
    static readonly byte[] Magic = "CFCKPT1\n"u8.ToArray();
    static readonly byte[] Trailer = "CFCKEND\n"u8.ToArray();

    /// <summary>Writes the checkpoint atomically (temporary file, flush, rename).</summary>
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
                writer.Write(Trailer);
                writer.Flush();
                body.Position = Magic.Length;
                writer.Write(body.Length);
            }
            AtomicFile.WriteAllBytes(path, body.GetBuffer().AsSpan(0, (int)body.Length));
            return FinSucc(unit);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return FinFail<Unit>(Error.New(ErrorCodes.UnreadableFile, $"Cannot write checkpoint '{path}': {e.Message}"));
        }
    }

    /// <summary>Reads the configuration and position only (validates the whole file's framing first).</summary>
    public static Fin<CheckpointHeader> ReadHeader(string path) => Open(path).Map(t => t.Header);

    /// <summary>Reads the checkpoint into <paramref name="network"/> and <paramref name="optimizer"/> (created with the
    /// checkpoint's configuration) and returns its header.</summary>
    public static Fin<CheckpointHeader> Load(string path, NetworkModule network, OptimizerHelper optimizer) =>
        Open(path).Bind(t =>
        {
            try
            {
                using var reader = new BinaryReader(new MemoryStream(t.Bytes, t.BodyStart, t.Bytes.Length - t.BodyStart - Trailer.Length));
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

    static Fin<(CheckpointHeader Header, byte[] Bytes, int BodyStart)> Open(string path)
    {
        if (!File.Exists(path))
            return FinFail<(CheckpointHeader, byte[], int)>(Error.New(ErrorCodes.MissingFile, $"Checkpoint '{path}' does not exist."));
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { return FinFail<(CheckpointHeader, byte[], int)>(Error.New(ErrorCodes.UnreadableFile, $"Cannot read checkpoint '{path}': {e.Message}")); }

        Fin<(CheckpointHeader, byte[], int)> Bad(int code, string why) => FinFail<(CheckpointHeader, byte[], int)>(Error.New(code, $"Checkpoint '{path}' {why}"));
        if (bytes.Length < Magic.Length + 12 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            return bytes.Length < Magic.Length + 12 && Magic.AsSpan(0, Math.Min(bytes.Length, Magic.Length)).SequenceEqual(bytes.AsSpan(0, Math.Min(bytes.Length, Magic.Length)))
                ? Bad(ErrorCodes.TruncatedFile, $"is truncated ({bytes.Length} bytes): the run was interrupted while writing it, or the copy is incomplete.")
                : Bad(ErrorCodes.WrongMagic, "is not a Certify.Functional training checkpoint (wrong magic). Weights-only files (.pt) cannot be resumed.");
        long total = BitConverter.ToInt64(bytes, Magic.Length);
        if (total != bytes.Length || !bytes.AsSpan(bytes.Length - Trailer.Length).SequenceEqual(Trailer))
            return Bad(ErrorCodes.TruncatedFile, $"is truncated or damaged ({bytes.Length} of {total} bytes). Resume from an earlier checkpoint in the same folder.");
        int headerLength = BitConverter.ToInt32(bytes, Magic.Length + 8);
        int headerStart = Magic.Length + 12;
        if (headerLength <= 0 || headerStart + headerLength > bytes.Length - Trailer.Length)
            return Bad(ErrorCodes.TruncatedFile, "has a damaged header.");
        try
        {
            var header = JsonSerializer.Deserialize<CheckpointHeader>(bytes.AsSpan(headerStart, headerLength), RunReport.Json);
            return header is null ? Bad(ErrorCodes.UnreadableFile, "has an empty header.") : FinSucc((header, bytes, headerStart + headerLength));
        }
        catch (JsonException e) { return Bad(ErrorCodes.UnreadableFile, $"has an unreadable header: {e.Message}"); }
    }
}
