using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification;
using static TorchSharp.torch;

namespace Certify.Functional.Training;

/// <summary>One batch's loss and what it says about the batch (scalars leave the step; tensors stay in its scope).</summary>
/// <param name="Loss">κ·CE + (1 − κ)·L_abs + λ·Σ‖W‖₁, a scalar tensor owned by the step's dispose scope.</param>
/// <param name="Logits">Clean logits [B, K].</param>
/// <param name="Certified">Certified flags [B] (all d_j &gt; 0), or null when no abstract loss was computed (κ = 1).</param>
public sealed record BatchLoss(Tensor Loss, Tensor Logits, Tensor? Certified);

/// <summary>
/// The certified-training loss of relaxations.md §2, §3.6, §3.8, training.md §4.1: L = κ·CE(f(x), y) + (1 − κ)·L_abs + λ·Σ_W ‖W‖₁ (all Dense and
/// Conv weights, biases excluded). κ = 1 exactly skips the abstract propagation (as the reference does). For
/// <c>crown-ibp</c> the β mixing of pseudo-logits applies (β = 0: IBP only; β = 1: CROWN-IBP only).
/// </summary>
public static class CertifiedLoss
{
    /// <summary>The loss of a batch <paramref name="x"/> [B, …], labels <paramref name="y"/> [B].</summary>
    public static BatchLoss Compute(NetworkModule net, Tensor x, Tensor y, Domain domain, double eps, double kappa, double beta,
        double l1, SpecKind kind = SpecKind.Diffs) =>
        Compute(Propagators.For(net), x, y, domain, eps, kappa, beta, l1, kind);

    /// <summary>The loss with propagators bound once (generated or interpreted); <paramref name="squared"/> selects the L2
    /// regularizer λ·Σ W² instead of L1.</summary>
    public static BatchLoss Compute(Propagators propagators, Tensor x, Tensor y, Domain domain, double eps, double kappa, double beta,
        double regularization, SpecKind kind = SpecKind.Diffs, bool squared = false)
    {
        var net = propagators.Network;
        var logits = net.forward(x);
        var loss = nn.functional.cross_entropy(logits, y);
        Tensor? certified = null;
        if (kappa != 1.0)
        {
            Tensor abstractLoss;
            if (domain is DeepPolyDomain { IbpIntermediate: true } && beta < 1.0)
            {
                var ibp = Verifier.Bounds(propagators, x, y, eps, Domain.Box, kind).DiffLower;
                var crownIbp = beta > 0 ? Verifier.Bounds(propagators, x, y, eps, domain, kind).DiffLower : ibp;
                abstractLoss = SpecLoss.Mixed(ibp, crownIbp, beta, y);
                certified = (beta > 0 ? crownIbp : ibp).gt(0).all(1);
            }
            else
            {
                var bounds = Verifier.Bounds(propagators, x, y, eps, domain, kind);
                abstractLoss = SpecLoss.Loss(bounds, y);
                certified = bounds.Certified;
            }
            loss = kappa * loss + (1 - kappa) * abstractLoss;
        }
        if (regularization > 0)
            loss = loss + regularization * net.WeightTensors.Select(w => squared ? w.square().sum() : w.abs().sum()).Aggregate((a, b) => a + b);
        return new BatchLoss(loss, logits, certified);
    }
}
