using Certify.Cli;
using Certify.Functional.Verification.Runtime;
using Xunit;

namespace Certify.Functional.Properties.Cli;

/// <summary><c>certify doctor</c> and the native-kernel gate: every check passes here, and a kernel that returns a
/// wrong value (injected) makes verify, train and attack refuse with exit 2 and a line naming the operation.</summary>
public sealed class DoctorTests : TorchTest
{
    [Fact]
    public void Doctor_prints_the_machine_and_every_check()
    {
        var (code, output, _) = CliTests.Run("doctor");
        Assert.Equal(0, code);
        foreach (var fact in new[] { "cpu:", "vector extensions:", "libtorch:", "TorchSharp:", "oneDNN ISA cap:" }) Assert.Contains(fact, output);
        foreach (var op in new[] { "matmul", "addmm (linear)", "bmm", "conv2d", "conv2d input gradient (fold)", "convolution transpose (fold)", "abs", "clamp", "relu", "sum", "amax" })
            Assert.Matches($@"(?m)^\s+ok\s+{System.Text.RegularExpressions.Regex.Escape(op)}\s", output);
        Assert.Contains("checks passed", output);
        Assert.DoesNotContain("FAIL", output);
    }

    [Fact]
    public void Every_kernel_check_passes_on_this_machine() =>
        Assert.All(KernelCheck.Run(), r => Assert.True(r.Passed, $"{r.Operation} ({r.Shapes}): error {r.Error}, {r.Ratio}× its bound"));

    [Theory]
    [InlineData("convolution transpose")]
    [InlineData("matmul")]
    [InlineData("conv2d input gradient")]
    public void A_wrong_kernel_makes_verify_train_and_attack_refuse(string operation)
    {
        using (KernelCheck.InjectFault(operation))
        {
            var (doctor, output, _) = CliTests.Run("doctor");
            Assert.Equal(CliApp.Failed, doctor);
            Assert.Contains("FAIL  " + operation, output);

            var (code, _, err) = CliTests.Run("verify", "--net", "FC-SMALL", "--model", "/nonexistent/x.pt", "--eps", "0.1", "--domains", "box", "--quiet");
            Assert.Equal(CliApp.BadInput, code);
            var first = err.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0];
            Assert.StartsWith("error CF3002: The native " + operation, first);
            Assert.Contains("ONEDNN_MAX_CPU_ISA=SSE41", first);
            Assert.DoesNotContain("   at ", err);

            Assert.Equal(CliApp.BadInput, CliTests.Run("train", "--preset", "mnist-fcsmall-box", "--budget", "quick", "--quiet", "--out", Path.Combine(Path.GetTempPath(), "never-" + Guid.NewGuid().ToString("N"))).Code);
            Assert.Equal(CliApp.BadInput, CliTests.Run("attack", "--net", "FC-SMALL", "--model", "/nonexistent/x.pt", "--eps", "0.1", "--quiet").Code);
            Assert.Throws<InvalidOperationException>(() => KernelCheck.ThrowIfFailed());
        }
        Assert.True(KernelCheck.Ensure().IsSucc);           // the fault stays inside its scope; the cached verdict is unharmed
    }
}
