using Certify.Functional.Runtime;
using Certify.Functional.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Training;

/// <summary>Clean accuracy of a network on a dataset, with the prediction for every image.</summary>
/// <param name="Correct">Images classified correctly.</param>
/// <param name="Total">Images evaluated.</param>
/// <param name="Predictions">argmax of the logits, per image, in dataset order.</param>
public sealed record CleanResult(int Correct, int Total, int[] Predictions)
{
    /// <summary>Correct / Total.</summary>
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;
}

/// <summary>Evaluation stages: pure functions of (network, data).</summary>
public static class Evaluation
{
    /// <summary>Clean accuracy on the first <paramref name="limit"/> images (all when null), in file order,
    /// in batches of <paramref name="batchSize"/>, without gradients. The network is left in eval mode.</summary>
    public static CleanResult Clean(nn.Module<Tensor, Tensor> network, Dataset data, int batchSize, Device device, int? limit = null)
    {
        int n = Math.Min(limit ?? data.Count, data.Count);
        var predictions = new int[n];
        int correct = 0;
        network.eval();
        using var _ = no_grad();
        using var guard = GcGuard.Open();
        var indices = Enumerable.Range(0, n).ToArray();
        for (int start = 0; start < n; start += batchSize)
        {
            guard.SafePoint();
            using var scope = NewDisposeScope();
            int count = Math.Min(batchSize, n - start);
            var (x, y) = data.Batch(indices.AsSpan(start, count), device);
            var predicted = network.forward(x).argmax(1).to(CPU);
            var labels = y.to(CPU);
            var p = predicted.data<long>().ToArray();
            var l = labels.data<long>().ToArray();
            for (int i = 0; i < count; i++)
            {
                predictions[start + i] = (int)p[i];
                if (p[i] == l[i]) correct++;
            }
        }
        return new CleanResult(correct, n, predictions);
    }
}
