using Certify.Functional.Bounds;
using static TorchSharp.torch;

namespace Certify.Functional.Verification;

/// <summary>
/// From bounds to the abstract loss (relaxations.md §3.6). Diffs: pseudo-logits ẑ_y = 0, ẑ_j = −d_j, L = CE(ẑ, y)
/// = log(1 + Σ e^{−d_j}). Per-logit: worst-case logits w_y = l_y, w_k = u_k, L = CE(w, y). Gradients flow through every
/// bound. The bounds are taken as computed (<see cref="SpecBounds.DiffLowerAsComputed"/>, no outward rounding margin).
/// </summary>
public static class SpecLoss
{
    /// <summary>ẑ [B, K] from d [B, K−1] (j ≠ y in increasing order) and labels y [B].</summary>
    public static Tensor PseudoLogits(Tensor diffLower, Tensor labels, Tensor? others = null)
    {
        others ??= Spec.OtherClasses(labels, (int)diffLower.shape[1] + 1);
        return zeros(diffLower.shape[0], diffLower.shape[1] + 1, dtype: diffLower.dtype, device: diffLower.device).scatter(1, others, -diffLower);
    }

    /// <summary>w [B, K]: the lower bound for the true class, upper bounds for the others.</summary>
    public static Tensor WorstCaseLogits(Tensor lower, Tensor upper, Tensor labels)
    {
        var isTrue = nn.functional.one_hot(labels, lower.shape[1]).to(ScalarType.Bool);
        return where(isTrue, lower, upper);
    }

    /// <summary>The abstract loss of <paramref name="bounds"/>: mean cross-entropy over the batch.</summary>
    public static Tensor Loss(SpecBounds bounds, Tensor labels) => bounds.Kind == SpecKind.Eye && bounds.Logits is { } logits
        ? nn.functional.cross_entropy(WorstCaseLogits(logits.Lower, logits.Upper, labels), labels)
        : nn.functional.cross_entropy(PseudoLogits(bounds.DiffLowerAsComputed, labels, bounds.Others), labels);

    /// <summary>CROWN-IBP's β mixing (relaxations.md §3.8): CE((1 − β)·ẑ(d_IBP) + β·ẑ(d_CROWN-IBP), y) — the pseudo-logits are
    /// mixed, not the losses.</summary>
    public static Tensor Mixed(Tensor diffLowerIbp, Tensor diffLowerCrownIbp, double beta, Tensor labels) =>
        nn.functional.cross_entropy((1 - beta) * PseudoLogits(diffLowerIbp, labels) + beta * PseudoLogits(diffLowerCrownIbp, labels), labels);
}
