using Certify.Functional.Runtime.Cluster;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Certify.Functional.Training;

/// <summary>The all-reduce of data-parallel training: every parameter's gradient summed over the ranks, in one message.</summary>
public static class Gradients
{
    /// <summary>Replaces every gradient of <paramref name="parameters"/> by its sum over the ranks of <paramref name="cluster"/>
    /// (a parameter without a gradient counts as zeros). The same bits on every rank; float32 parameters only (float64 ones
    /// are refused rather than rounded).</summary>
    public static void Sum(IEnumerable<Parameter> parameters, Cluster cluster)
    {
        if (!cluster.IsParallel) return;
        var list = parameters.ToList();
        if (list.FirstOrDefault(p => p.dtype != ScalarType.Float32) is { } other)
            throw new NotSupportedException($"data-parallel training sums float32 gradients; a parameter is {other.dtype}.");
        long total = list.Sum(p => p.numel());
        if (total > int.MaxValue) throw new NotSupportedException($"{total} parameters are more than one MPI message holds.");
        var buffer = new float[total];
        long offset = 0;
        using (NewDisposeScope())
        using (no_grad())
        {
            foreach (var p in list)
            {
                int n = (int)p.numel();
                if (p.grad is { } g) g.detach().to(CPU).contiguous().data<float>().CopyTo(buffer.AsSpan((int)offset, n));
                offset += n;
            }
        }
        cluster.Sum(buffer);
        offset = 0;
        using (NewDisposeScope())
        using (no_grad())
        {
            foreach (var p in list)
            {
                int n = (int)p.numel();
                var summed = tensor(buffer.AsSpan((int)offset, n).ToArray(), p.shape).to(p.device);
                if (p.grad is { } g) g.copy_(summed);
                else p.grad = summed.DetachFromDisposeScope();
                offset += n;
            }
        }
    }
}
