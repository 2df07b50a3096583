using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Shared;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Ibp;

/// <summary>
/// IBP of the last Dense layer with the specification merged in (relaxations.md §2 elision, §3.3): the same bounds as
/// <c>DenseBox.Propagate(SpecLayer.Merge(last, spec), x)</c>, computed without per-example weights when that is cheaper.
/// For a batch of differences, every ordered class pair (i, k) gets the row W_i − W_k (rounded once, as in the merged
/// layer) and the bias b_i − b_k; the center c·(W_i − W_k)ᵀ and radius r·|W_i − W_k|ᵀ of all K² pairs are two shared
/// products, from which each example picks its K − 1 pairs (y, j). Sound for the same reason as DenseBox: for
/// |x − c| ≤ r, |(W_y − W_j)(x − c)| ≤ |W_y − W_j| r.
/// </summary>
public static class SpecDenseBox
{
    /// <summary>Bounds [B, K−1] on z_y − z_j (per-logit [B, K] for a per-logit specification).</summary>
    public static Box Propagate(Dense last, Box x, Spec spec)
    {
        // K² shared rows against B·(K−1) per-example ones: the pairs win for batches beyond a few examples.
        if (spec is not DiffSpec d || last.Weight.dim() != 2 || d.Classes * d.Classes > x.Center.shape[0] * (d.Classes - 1))
            return DenseBox.Propagate(SpecLayer.Merge(last, spec), x);
        long k = d.Classes;
        var pairs = (last.Weight.unsqueeze(1) - last.Weight.unsqueeze(0)).flatten(0, 1);   // row i·K + j: W_i − W_j
        var bias = (last.Bias.unsqueeze(1) - last.Bias.unsqueeze(0)).flatten();
        var index = d.Others.add(d.Labels.unsqueeze(1), alpha: k);                          // y·K + j, [B, K−1]
        return new(nn.functional.linear(x.Center, pairs, bias).gather(1, index),
                   nn.functional.linear(x.Radius, pairs.abs()).gather(1, index));
    }
}
