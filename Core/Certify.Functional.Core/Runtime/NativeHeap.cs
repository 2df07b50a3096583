using System.Runtime.InteropServices;

namespace Certify.Functional.Runtime;

/// <summary>
/// Keeps freed native memory in the process instead of handing it back to the kernel. With glibc's defaults every
/// allocation above 32 MB is a fresh mmap, returned on free and page-faulted back in (zero-filled, page by page) on the
/// next use; the back-substitution coefficients of a DeepPoly step on FC are 60 MB tensors, allocated and freed hundreds
/// of times per step, so the kernel spent about as much time zeroing pages as the step spent computing (12 M minor faults
/// in 30 s measured). After <see cref="KeepFreedPages"/> large blocks come from the heap and are reused; the heap is not
/// trimmed, so the resident size stays at the peak of the largest step. Process-wide: call it once at start-up (the CLI,
/// the benchmarks), before the first tensor.
/// </summary>
public static class NativeHeap
{
    const int TrimThreshold = -1, MmapMax = -4;                                  // M_TRIM_THRESHOLD, M_MMAP_MAX (malloc.h)

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int MallOpt(int parameter, int value);

    /// <summary>True when the setting took effect (Linux with glibc); false elsewhere (nothing changed).</summary>
    public static bool KeepFreedPages()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return MallOpt(MmapMax, 0) == 1 && MallOpt(TrimThreshold, int.MaxValue) == 1;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;                                                       // not glibc (musl has no mallopt)
        }
    }
}
