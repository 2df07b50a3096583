using Certify.Functional.Runtime;
using System.Collections;
using Certify.Functional.Errors;
using LanguageExt;
using LanguageExt.Common;
using TorchSharp;
using TorchSharp.PyBridge;
using static LanguageExt.Prelude;
using static TorchSharp.torch;

namespace Certify.Functional.Networks;

/// <summary>Reading and writing PyTorch zip-format <c>state_dict</c> files (what <c>torch.save(model.state_dict())</c>
/// writes and <c>torch.load</c> reads), with named errors for missing, unexpected and mis-shaped keys.</summary>
public static class StateDict
{
    /// <summary>Loads <paramref name="path"/> into <paramref name="network"/> (any device; tensors are copied).
    /// Every key of the network must be present with the same shape; extra keys are an error too. Nothing is
    /// changed unless the whole file fits.</summary>
    public static Fin<Unit> Load(nn.Module network, string path)
    {
        if (!File.Exists(path))
            return FinFail<Unit>(Error.New(ErrorCodes.MissingFile,
                $"Checkpoint '{path}' does not exist. Expected a PyTorch state_dict file (torch.save(model.state_dict(), path))."));
        if (Format(path) is { } wrong)
            return FinFail<Unit>(Error.New(ErrorCodes.UnreadableFile, $"Checkpoint '{path}' {wrong}"));
        Hashtable loaded;
        try
        {
            using var stream = File.OpenRead(path);
            loaded = PyTorchUnpickler.UnpickleStateDict(stream);
        }
        catch (Exception ex)
        {
            return FinFail<Unit>(Error.New(ErrorCodes.UnreadableFile,
                $"Checkpoint '{path}' cannot be read as a PyTorch zip-format state_dict ({ex.GetType().Name}: {ex.Message}). " +
                "Files saved with the legacy (non-zip) format must be re-saved with torch.save(..., _use_new_zipfile_serialization=True)."));
        }
        try
        {
            return LoadFrom(network, loaded.Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => e.Value), $"Checkpoint '{path}'");
        }
        finally
        {
            foreach (var t in loaded.Values.OfType<Tensor>()) t.Dispose();
        }
    }

    // What the file is when it is not a zip archive (PyTorch's format since 1.6), from its first bytes; null for a zip.
    static string? Format(string path)
    {
        var head = new byte[8];
        int n;
        try { using var f = File.OpenRead(path); n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return $"cannot be read: {e.Message}"; }
        if (n >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4) return null;
        if (n == 0) return "is empty (0 bytes). Expected a PyTorch state_dict file (torch.save(model.state_dict(), path)).";
        if (n >= 4 && head[0] == 0x80 && head[2] == 0x8A && head[3] == 0x0A)
            return "is in PyTorch's legacy (non-zip) format: re-save it with torch.save(..., _use_new_zipfile_serialization=True).";
        if (n >= 7 && System.Text.Encoding.ASCII.GetString(head, 0, 6) == "CFCKPT")
            return "is a training checkpoint (.ckpt: weights and optimizer state); continue it with `certify train --resume`, or use the run's model.pt or checkpoints/epoch-N.pt here.";
        return $"is not a PyTorch state_dict file: it starts with the bytes {Convert.ToHexString(head, 0, Math.Min(n, 4))}, where a zip archive (PyTorch's format) starts with 504B0304. Expected torch.save(model.state_dict(), path).";
    }

    /// <summary>Copies <paramref name="parameters"/> into <paramref name="network"/> with the same checks as <see cref="Load"/>
    /// (every key present with the network's shape, no extra key; nothing changed unless all fit); <paramref name="label"/>
    /// names the source in errors, e.g. "ONNX file 'net.onnx'".</summary>
    public static Fin<Unit> Copy(nn.Module network, IReadOnlyDictionary<string, Tensor> parameters, string label) =>
        LoadFrom(network, parameters.ToDictionary(p => p.Key, p => (object?)p.Value), label);

    static Fin<Unit> LoadFrom(nn.Module network, Dictionary<string, object?> loaded, string label)
    {
        var expected = network.state_dict();
        var errors = new List<Error>();
        foreach (var (key, target) in expected)
        {
            if (!loaded.TryGetValue(key, out var value) || value is not Tensor source)
                errors.Add(Error.New(ErrorCodes.MissingParameter,
                    $"{label} has no tensor '{key}'; the network expects one of shape [{string.Join(", ", target.shape)}]. Is it a checkpoint of this architecture?"));
            else if (!source.shape.SequenceEqual(target.shape))
                errors.Add(Error.New(ErrorCodes.ParameterShape,
                    $"{label}: '{key}' has shape [{string.Join(", ", source.shape)}], the network expects [{string.Join(", ", target.shape)}]. Check --net / the architecture."));
        }
        foreach (var key in loaded.Keys.Where(k => !expected.ContainsKey(k)).Order(StringComparer.Ordinal))
            errors.Add(Error.New(ErrorCodes.UnexpectedParameter,
                $"{label} has a tensor '{key}' that the network does not have (it has {string.Join(", ", expected.Keys)})."));
        if (errors.Count > 0) return FinFail<Unit>(errors.Count == 1 ? errors[0] : Error.Many(errors.ToArray()));

        using (no_grad())
        {
            foreach (var (key, target) in expected)
            {
                var source = (Tensor)loaded[key]!;
                target.copy_(source.to(target.dtype));
            }
        }
        return FinSucc(unit);
    }

    /// <summary>Writes the network's state dict in PyTorch's zip format, atomically: a temporary file in the same
    /// folder is written, flushed and renamed over <paramref name="path"/>, so a crash never leaves a torn file.</summary>
    public static Fin<Unit> Save(nn.Module network, string path)
    {
        try
        {
            AtomicFile.Write(path, stream => network.save_py(stream, leaveOpen: true));
            return FinSucc(unit);
        }
        catch (OutputWriteException ex)
        {
            return FinFail<Unit>(Error.New(ErrorCodes.WriteFailed, ex.Message));
        }
    }
}
