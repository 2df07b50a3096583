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
            return LoadFrom(network, loaded.Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => e.Value), path);
        }
        finally
        {
            foreach (var t in loaded.Values.OfType<Tensor>()) t.Dispose();
        }
    }

    static Fin<Unit> LoadFrom(nn.Module network, Dictionary<string, object?> loaded, string path)
    {
        var expected = network.state_dict();
        var errors = new List<Error>();
        foreach (var (key, target) in expected)
        {
            if (!loaded.TryGetValue(key, out var value) || value is not Tensor source)
                errors.Add(Error.New(ErrorCodes.MissingParameter,
                    $"Checkpoint '{path}' has no tensor '{key}'; the network expects one of shape [{string.Join(", ", target.shape)}]. Is it a checkpoint of this architecture?"));
            else if (!source.shape.SequenceEqual(target.shape))
                errors.Add(Error.New(ErrorCodes.ParameterShape,
                    $"Checkpoint '{path}': '{key}' has shape [{string.Join(", ", source.shape)}], the network expects [{string.Join(", ", target.shape)}]. Check --net / the architecture."));
        }
        foreach (var key in loaded.Keys.Where(k => !expected.ContainsKey(k)).Order(StringComparer.Ordinal))
            errors.Add(Error.New(ErrorCodes.UnexpectedParameter,
                $"Checkpoint '{path}' has a tensor '{key}' that the network does not have (it has {string.Join(", ", expected.Keys)})."));
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
            var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
            Directory.CreateDirectory(dir);
            var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
            using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                network.save_py(stream, leaveOpen: true);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
            return FinSucc(unit);
        }
        catch (Exception ex)
        {
            return FinFail<Unit>(Error.New(ErrorCodes.UnreadableFile, $"Cannot write checkpoint '{path}': {ex.Message}"));
        }
    }
}
