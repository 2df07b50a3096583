using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Shared;

/// <summary>Elision (SPEC §2): the specification C merged into the last Dense layer, W' = C·W [B, K−1, in],
/// b' = C·b [B, K−1], so that bounds are computed directly on the differences z_y − z_j.</summary>
public static class SpecLayer
{
    /// <summary>The last layer with the specification merged in (the layer itself for per-logit bounds).</summary>
    public static Dense Merge(Dense last, Spec spec) => spec switch
    {
        // Rows W_y − W_j and b_y − b_j, gathered (C is a difference of one-hot rows: no matrix product needed); weight and
        // bias travel as one [K, in + 1] matrix so that the gather and the difference happen once.
        DiffSpec d => Split(Rows(cat([last.Weight, last.Bias.unsqueeze(1)], 1), d)),
        _ => last,
    };

    static Tensor Rows(Tensor weightAndBias, DiffSpec d) =>
        weightAndBias.index_select(0, d.Labels).unsqueeze(1)
        - weightAndBias.index_select(0, d.Others.flatten()).view(d.Others.shape[0], d.Others.shape[1], -1);

    static Dense Split(Tensor rows)
    {
        long inputs = rows.shape[2] - 1;
        return new Dense(rows.narrow(2, 0, inputs), rows.select(2, inputs));
    }

    /// <summary>The specification as a layer of its own (for networks that do not end in Dense, and to form exact
    /// differences from a per-logit element): W = C, b = 0; null for per-logit bounds.</summary>
    public static Dense? AsLayer(Spec spec) => spec switch
    {
        DiffSpec d => new Dense(Spec.DiffMatrix(d.Labels, (int)d.Classes), zeros(d.Others.shape, dtype: float32, device: d.Labels.device)),
        _ => null,
    };
}
