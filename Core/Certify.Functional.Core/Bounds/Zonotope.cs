using static TorchSharp.torch;

namespace Certify.Functional.Bounds;

/// <summary>A zonotope (DeepZ family): { Center + Σₖ Eₖ εₖ : ε ∈ [−1, 1]^m }. Center [B, …].</summary>
public sealed record Zonotope(Tensor Center, ErrorTerms Errors)
{
    /// <summary>The interval hull (concretization): Center ∓ Σₖ |Eₖ|.</summary>
    public Box Concretize() => new(Center, Errors.AbsSum(Center.shape[1..], Center.shape[0], Center.device, Center.dtype));
}

/// <summary>A hybrid zonotope (hBox family): { Center + diag(Beta)·η + Σₖ Eₖ εₖ : η, ε ∈ [−1, 1] }: per-neuron
/// independent box noise Beta ≥ 0 [B, …] plus shared generators.</summary>
public sealed record HybridZonotope(Tensor Center, Tensor Beta, ErrorTerms Errors)
{
    /// <summary>The interval hull: Center ∓ (Beta + Σₖ |Eₖ|).</summary>
    public Box Concretize() => new(Center, Beta + Errors.AbsSum(Center.shape[1..], Center.shape[0], Center.device, Center.dtype));
}
