using Certify.Functional.Runtime;
using TorchSharp;

namespace Certify.Functional.Properties;

/// <summary>Base of every test class that touches torch: one intra-op thread and a fixed seed, so results are
/// deterministic and the other core stays free.</summary>
/// <remarks>Each test runs inside a <see cref="GcGuard"/>: TorchSharp frees its implicit scalars in finalizers, and a
/// collection during a native call lets the finalizer free a scalar libtorch is still reading (seen in a law:
/// "Expected false to be true … toFloat" from <c>x + ε</c>). Law cases renew the guard where they start
/// (<see cref="GcGuard.AtSafePoint"/> in <c>NetworkCase.CreateNetwork</c>), as training renews it between steps.</remarks>
public abstract class TorchTest : IDisposable
{
    readonly GcGuard guard;

    /// <summary>Pins threads, seeds torch and opens the guard.</summary>
    protected TorchTest()
    {
        torch.set_num_threads(1);
        torch.manual_seed(20260211);
        guard = GcGuard.Open();
    }

    /// <summary>Closes the guard.</summary>
    public void Dispose()
    {
        guard.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Same shape and bitwise-equal values.</summary>
    public static bool Same(torch.Tensor a, torch.Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>Path of a file copied next to the test assembly (e.g. "Reference/mnist_FC_box.pt").</summary>
    protected static string Asset(string relative) => Path.Combine(AppContext.BaseDirectory, relative);

    /// <summary>A fresh temporary folder, deleted when the test process ends is not guaranteed; tests clean up.</summary>
    protected static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "certify-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
