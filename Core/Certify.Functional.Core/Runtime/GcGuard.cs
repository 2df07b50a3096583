using System.Runtime;

namespace Certify.Functional.Runtime;

/// <summary>
/// Keeps the .NET garbage collector from running while TorchSharp is inside a native call, a race that otherwise
/// crashes or corrupts long runs. TorchSharp 0.107 creates short-lived <c>Scalar</c> objects for every scalar argument
/// (also internally: <c>a + b</c> passes alpha = 1) and frees them in a finalizer. After a Scalar's handle has been
/// read its managed object is dead; when a collection — started by an allocation on any other thread — happens
/// during the native call, the finalizer frees the scalar while libtorch still reads it ("Unknown scalar type",
/// or, worse, a silently different value). Measured: with a background thread allocating, DeepZ training failed
/// within a second. The guard holds a no-GC region (<see cref="GC.TryStartNoGCRegion(long)"/>) and renews it only at
/// safe points (between steps/batches, when no native call is in flight on the calling thread), so collections
/// happen there and nowhere else, as long as the managed allocations between two safe points stay below the budget
/// (a training step allocates kilobytes; the budget is 64 MiB). Single-threaded by design: open it on the thread
/// that runs the torch work.
/// </summary>
public sealed class GcGuard : IDisposable
{
    const long Budget = 64L << 20;
    [ThreadStatic] static int depth;
    [ThreadStatic] static long openedAt;
    bool disposed;

    GcGuard()
    {
        depth++;
        SafePoint();
    }

    /// <summary>Opens a guard (guards nest; the outermost one owns the region); dispose it when the torch work ends.</summary>
    public static GcGuard Open() => new();

    /// <summary>Renews the no-GC region when half its budget is used (a collection happens now, here), or when a
    /// collection ended it. Call it only where no torch call is in flight on this thread.</summary>
    public void SafePoint()
    {
        if (!disposed) Renew();
    }

    /// <summary><see cref="SafePoint"/> for code that does not hold the guard (a test case, a batch): renews the region
    /// when a guard is open on this thread, does nothing otherwise.</summary>
    public static void AtSafePoint()
    {
        if (depth > 0) Renew();
    }

    static void Renew()
    {
        bool inRegion = GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;
        if (inRegion && GC.GetTotalAllocatedBytes() - openedAt < Budget / 2) return;
        try
        {
            if (inRegion) GC.EndNoGCRegion();
            GC.TryStartNoGCRegion(Budget);
        }
        catch (InvalidOperationException) { }           // the region ended by itself between the check and the call
        openedAt = GC.GetTotalAllocatedBytes();
    }

    /// <summary>Closes the region when this is the outermost guard.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (--depth > 0 || GCSettings.LatencyMode != GCLatencyMode.NoGCRegion) return;
        try { GC.EndNoGCRegion(); }
        catch (InvalidOperationException) { }           // a collection already ended it
    }
}
