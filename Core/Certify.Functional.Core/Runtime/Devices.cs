using static TorchSharp.torch;

namespace Certify.Functional.Runtime;

/// <summary>Device selection, kept in one place so that tensor code stays device-agnostic.</summary>
public static class Devices
{
    /// <summary>The torch device for "cpu", "cuda" or "cuda:N"; throws with a clear message when CUDA is
    /// requested but this build of libtorch has none (reference a libtorch-cuda-* package instead of the CPU one).</summary>
    public static Device Parse(string name)
    {
        if (name.StartsWith("cuda", StringComparison.Ordinal) && !cuda.is_available())
            throw new InvalidOperationException(
                $"Device '{name}' requested, but CUDA is not available in this build (the CPU libtorch package is referenced). " +
                "Use --device cpu, or build with a libtorch-cuda-* package on a machine with a GPU.");
        return device(name);
    }
}
