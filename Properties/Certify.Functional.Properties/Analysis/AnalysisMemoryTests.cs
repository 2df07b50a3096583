using Certify.Functional.Layers;
using Certify.Functional.Analysis;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Samples;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Analysis;

/// <summary>The analysis API on a declared (generated) network: the generated propagators see the shifted weights (same
/// slice as the interpreter on a copy, bit for bit), weights come back bit for bit, and no call leaves live tensors behind
/// (only numbers and arrays leave).</summary>
public sealed class AnalysisMemoryTests : TorchTest
{
    [Fact]
    public void Generated_network_slices_like_the_interpreter_and_nothing_leaks()
    {
        using var net = NetworkCatalog.Find("FC-SMALL", Shape.Of(1, 28, 28)).Match(e => e, e => throw new Xunit.Sdk.XunitException(e.Message)).Create();
        using var copy = new InterpretedNetwork(net.Description);
        copy.load_state_dict(net.state_dict());
        using var x = rand(4, 1, 28, 28);
        using var y = tensor(new long[] { 1, 4, 7, 9 });
        var before = TinyNetworks.Bits(net);
        var direction = ParameterDirection.Random(net, 3);
        foreach (var t in new[] { -0.01, 0.0, 0.02 })
            Assert.Equal(LossSlice.At(copy, x, y, Domain.DeepZ, 0.02, direction, t), LossSlice.At(net, x, y, Domain.DeepZ, 0.02, direction, t));

        var calls = new (string Name, Action Call)[]
        {
            ("direction", () => ParameterDirection.Random(net, 5)),
            ("gradient", () => ParameterDirection.Gradient(net, x, y, Domain.Box, 0.02)),
            ("slice", () => LossSlice.Evaluate(net, x, y, Domain.HBox, 0.02, direction, 0.1, 3)),
            ("sensitivity", () => Sensitivity.Measure(net, x, y, Domain.DeepPoly, 0.02, new SensitivityOptions(1, [1e-3]))),
            ("tightness", () => Tightness.Measure(net, x, y, 0.02, Domain.DeepPoly)),
            ("switching", () => SwitchingSurfaces.Measure(net, x, y, 0.02, Domain.Box, 0.01)),
            ("envelope", () => EnvelopeCurves.For(Domain.DeepZ, -1, 2, 5)),
        };
        foreach (var (name, call) in calls)
        {
            call();                                                             // warm-up (lazy module state, if any)
            long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            call();
            Assert.True(live == DisposeScopeManager.Statistics.ThreadTotalLiveCount, $"{name}: live tensors {live} → {DisposeScopeManager.Statistics.ThreadTotalLiveCount}");
        }
        Assert.Equal(before, TinyNetworks.Bits(net));
    }
}
