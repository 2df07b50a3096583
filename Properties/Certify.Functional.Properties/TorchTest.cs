using TorchSharp;

namespace Certify.Functional.Properties;

/// <summary>Base of every test class that touches torch: one intra-op thread and a fixed seed, so results are
/// deterministic and the other core stays free.</summary>
public abstract class TorchTest
{
    /// <summary>Pins threads and seeds torch.</summary>
    protected TorchTest()
    {
        torch.set_num_threads(1);
        torch.manual_seed(20260211);
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
