using Certify.Functional.Networks;
using static TorchSharp.torch;

namespace Certify.Functional.Training;

/// <summary>Weight initializations other than PyTorch's default.</summary>
public static class Initialization
{
    /// <summary>
    /// IBP initialization (Shi et al. 2021, "Fast certified robust training with short warmup"; training.md §4.6): every weight
    /// tensor of two or more dimensions except the last is redrawn from N(0, σ²) with σ = √(2π)/fan_in (fan_in = input
    /// features, or in-channels × kernel area). Then E Σ_j |W_ij| = fan_in·σ·√(2/π) = 2 per output: an interval's radius is
    /// doubled by the layer and about halved by the ReLU after it, so interval widths stay stable through depth at the start
    /// of training. Biases and the last layer keep their default initialization. Draws from torch's global generator (seed
    /// it first; the trainer does).
    /// </summary>
    public static void Ibp(NetworkModule network)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var weights = network.named_parameters().Where(p => p.name.EndsWith(".weight", StringComparison.Ordinal) && p.parameter.dim() >= 2).ToList();
        foreach (var (_, w) in weights.Take(weights.Count - 1))
        {
            long fanIn = w.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            w.normal_(0, Math.Sqrt(2 * Math.PI) / fanIn);
        }
    }
}
