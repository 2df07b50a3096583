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
        DiffSpec d => new Dense(matmul(d.C, last.Weight), matmul(d.C, last.Bias.unsqueeze(1)).squeeze(2)),
        _ => last,
    };

    /// <summary>The specification as a layer of its own (for networks that do not end in Dense, and to form exact
    /// differences from a per-logit element): W = C, b = 0; null for per-logit bounds.</summary>
    public static Dense? AsLayer(Spec spec) => spec switch
    {
        DiffSpec d => new Dense(d.C, zeros(d.C.shape[0], d.C.shape[1], dtype: d.C.dtype, device: d.C.device)),
        _ => null,
    };
}
