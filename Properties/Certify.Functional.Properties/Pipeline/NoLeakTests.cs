using Certify.Functional.Data;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Relaxations.Training;
using Certify.Functional.Samples;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Pipeline;

/// <summary>Memory stays flat over training steps for every relaxation: after warm-up, the number of live tensors
/// does not grow from step to step (the reference leaked every batch's graph, SPEC §10 item 16).</summary>
public class NoLeakTests : TorchTest
{
    [Theory]
    [InlineData("box")]
    [InlineData("hbox")]
    [InlineData("zono")]
    [InlineData("deeppoly")]
    [InlineData("crown-ibp")]
    public void Live_tensors_do_not_grow_over_training_steps(string relaxation)
    {
        var domain = Domain.Parse(relaxation).Match(d => d, e => throw new Xunit.Sdk.XunitException(e.Message));
        var data = DatasetCatalog.Load("mnist", null, Split.Train).Match(d => d, e => throw new Xunit.Sdk.XunitException(e.Message));
        using var net = NetworkCatalog.Find("FC-SMALL", Shape.Of(1, 28, 28)).Match(e => e, e => throw new Xunit.Sdk.XunitException(e.Message)).Create();
        using var optimizer = optim.Adam(net.parameters(), lr: 1e-3);
        var live = new List<long>();
        for (int step = 0; step < 6; step++)
        {
            using (var scope = NewDisposeScope())
            {
                var (x, y) = data.Batch(Enumerable.Range(step * 20, 20).ToArray());
                optimizer.zero_grad();
                var r = CertifiedLoss.Compute(net, x, y, domain, eps: 0.05, kappa: 0.5, beta: 0.5, l1: 1e-5);
                r.Loss.backward();
                optimizer.step();
                _ = r.Loss.item<float>();
            }
            live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }
        // Step 0 creates the optimizer's state; from then on the count must stay put.
        Assert.True(live.Skip(1).Distinct().Count() == 1, $"live tensors per step: {string.Join(", ", live)}");
    }
}
