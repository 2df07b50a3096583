using Certify.Functional.Bounds;
using Certify.Functional.Relaxations.Shared;

namespace Certify.Functional.Relaxations.DeepPoly;

/// <summary>Back-substitution through ReLU with an envelope λ_l x + μ_l ≤ y ≤ λ_u x + μ_u (SPEC §3.7). For a lower
/// bound: A ← A⁺λ_l + A⁻λ_u, Const += Σ(A⁺μ_l + A⁻μ_u); for an upper bound the lines swap. Sound because A⁺ multiplies
/// a quantity that is at least (at most) the line it is replaced by.</summary>
public static class ReluDeepPoly
{
    /// <summary>The bound in terms of the ReLU's input.</summary>
    public static LinearBound Backward(ReluEnvelope envelope, LinearBound bound, bool lower)
    {
        var a = bound.A ?? throw new InvalidOperationException("Back-substitution cannot start at a ReLU; start at the layer before it.");
        var (pos, neg) = lower ? (envelope.LambdaLower, envelope.LambdaUpper) : (envelope.LambdaUpper, envelope.LambdaLower);
        var (muPos, muNeg) = lower ? (envelope.MuLower, envelope.MuUpper) : (envelope.MuUpper, envelope.MuLower);
        var next = SignSplit.Combine(a, Expand(pos, a), Expand(neg, a));
        return new(next, LinearBound.Add(bound.Const, SignSplit.Sum(a, muPos, muNeg)));
    }

    // A per-neuron factor [B, …] broadcasts over the spec dimension of A [S, K, …].
    static TorchSharp.torch.Tensor Expand(TorchSharp.torch.Tensor factor, TorchSharp.torch.Tensor a) =>
        factor.dim() == a.dim() ? factor : factor.unsqueeze(1);
}
