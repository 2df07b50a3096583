using static TorchSharp.torch;

namespace Certify.Functional.Runtime;

/// <summary>Device selection, kept in one place so that tensor code stays device-agnostic.</summary>
public static class Devices
{
    /// <summary>The torch device for "cpu", "cuda" or "cuda:N"; throws with a clear message when CUDA is
    /// requested but this build of libtorch has none (reference a libtorch-cuda-* package instead of the CPU one).</summary>
    public static Device Parse(string name)
    {
        if (Problem(name) is { } problem && !name.StartsWith("cuda", StringComparison.Ordinal)) throw new ArgumentException(problem, nameof(name));
        if (name.StartsWith("cuda", StringComparison.Ordinal) && !cuda.is_available())
            throw new InvalidOperationException(
                $"Device '{name}' requested, but CUDA is not available in this build (the CPU libtorch package is referenced). " +
                "Use --device cpu, or build with a libtorch-cuda-* package on a machine with a GPU.");
        return device(name);
    }

    /// <summary>Why <paramref name="name"/> cannot be used as a device here, or null: the names are cpu, cuda and
    /// cuda:N, and CUDA needs a libtorch-cuda build and a GPU.</summary>
    public static string? Problem(string name)
    {
        if (name == "cpu") return null;
        bool cudaName = name == "cuda" || name.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(name.AsSpan(5), out var n) && n >= 0;
        if (!cudaName) return $"Unknown device '{name}'. Expected cpu, cuda or cuda:N.";
        if (!cuda.is_available())
            return $"Device '{name}' requested, but CUDA is not available in this build (the CPU libtorch package is referenced). " +
                   "Use --device cpu, or build with a libtorch-cuda-* package on a machine with a GPU.";
        int index = name == "cuda" ? 0 : int.Parse(name.AsSpan(5));
        return index < cuda.device_count() ? null : $"Device '{name}' requested, but this machine has {cuda.device_count()} CUDA device(s).";
    }
}
