using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification;
using static TorchSharp.torch;

namespace Certify.Functional.Training;

/// <summary>One batch's loss and what it says about the batch (scalars leave the step; tensors stay in its scope).</summary>
/// <param name="Loss">κ·CE + (1 − κ)·L_abs + λ·Σ‖W‖₁, a scalar tensor owned by the step's dispose scope.</param>
/// <param name="Logits">Clean logits [B, K].</param>
/// <param name="Certified">Certified flags [B] (all d_j &gt; 0 in the float32 bounds the loss uses, as computed: a
/// training statistic, not a certificate), or null when no abstract loss was computed (κ = 1).</param>
public sealed record BatchLoss(Tensor Loss, Tensor Logits, Tensor? Certified);

/// <summary>What a batch's loss is computed with: the abstract part (domain, ε, specification), the weights κ and β, and
/// the regularizer.</summary>
/// <param name="Domain">Domain of the abstract loss (unused when κ = 1).</param>
/// <param name="Eps">ε of the abstract loss (pixel units).</param>
/// <param name="Kappa">Weight of the clean cross-entropy; κ = 1 exactly skips the abstract propagation.</param>
/// <param name="Beta">CROWN-IBP mixing of pseudo-logits (β = 0: IBP only; β = 1: CROWN-IBP only).</param>
/// <param name="Spec">Specification of the abstract loss.</param>
public sealed record LossSettings(Domain Domain, double Eps, double Kappa = 1, double Beta = 1, SpecKind Spec = SpecKind.Diffs)
{
    /// <summary>The weight regularizer (none by default).</summary>
    public WeightPenalty Penalty { get; init; } = WeightPenalty.None;

    /// <summary>The clean cross-entropy alone (κ = 1: no bounds are computed, the domain is never used).</summary>
    public static LossSettings Clean { get; } = new(Domain.Box, 0);
}

/// <summary>
/// The certified-training loss of relaxations.md §2, §3.6, §3.8, training.md §4.1: L = κ·CE(f(x), y) + (1 − κ)·L_abs + λ·Σ_W ‖W‖₁ (all Dense and
/// Conv weights, biases excluded; or λ·Σ W² with <see cref="PenaltyNorm.L2"/>). κ = 1 exactly skips the abstract
/// propagation (as the reference does). For <c>crown-ibp</c> the β mixing of pseudo-logits applies (β = 0: IBP only;
/// β = 1: CROWN-IBP only). The loss uses the bounds as computed (<c>Verifier.Bounds(…, asComputed: true)</c>): the
/// per-logit differences' outward rounding margin is for certificates, not for the gradient, and is not computed here.
/// </summary>
public static class CertifiedLoss
{
    /// <summary>The loss of a batch <paramref name="x"/> [B, …], labels <paramref name="y"/> [B], propagators bound on the fly.</summary>
    public static BatchLoss Compute(NetworkModule net, Tensor x, Tensor y, LossSettings settings) =>
        Compute(Propagators.For(net), x, y, settings);

    /// <summary>The loss with propagators bound once (generated or interpreted).</summary>
    public static BatchLoss Compute(Propagators propagators, Tensor x, Tensor y, LossSettings settings)
    {
        var (domain, eps, kappa, beta, kind) = settings;
        var net = propagators.Network;
        var logits = net.forward(x);
        var loss = nn.functional.cross_entropy(logits, y);
        Tensor? certified = null;
        if (kappa != 1.0)
        {
            Tensor abstractLoss;
            if (domain is DeepPolyDomain { IbpIntermediate: true } && beta < 1.0)
            {
                var ibp = Verifier.Bounds(propagators, x, y, eps, Domain.Box, kind, asComputed: true).DiffLower;
                var crownIbp = beta > 0 ? Verifier.Bounds(propagators, x, y, eps, domain, kind, asComputed: true).DiffLower : ibp;
                abstractLoss = SpecLoss.Mixed(ibp, crownIbp, beta, y);
                certified = (beta > 0 ? crownIbp : ibp).gt(0).all(1);
            }
            else
            {
                var bounds = Verifier.Bounds(propagators, x, y, eps, domain, kind, asComputed: true);
                abstractLoss = SpecLoss.Loss(bounds, y);
                certified = bounds.DiffLower.gt(0).all(1);
            }
            loss = kappa * loss + (1 - kappa) * abstractLoss;
        }
        if (settings.Penalty is { Factor: > 0 } penalty)
            loss = loss + penalty.Factor * net.WeightTensors.Select(w => penalty.Norm switch
            {
                PenaltyNorm.L2 => w.square().sum(),
                _ => w.abs().sum(),
            }).Aggregate((a, b) => a + b);
        return new BatchLoss(loss, logits, certified);
    }
}
