using Certify.Functional.Bounds;
using Certify.Functional.Relaxations.Shared;

namespace Certify.Functional.Relaxations.DeepPoly;

/// <summary>Concretisation over the input box (SPEC §3.7): lower = Σ(A⁺·lo + A⁻·hi) + Const, upper = Σ(A⁺·hi + A⁻·lo) + Const.
/// Exact for a linear function over a box.</summary>
public static class InputDeepPoly
{
    /// <summary>The bound's value [B, K] over the input region [<paramref name="lo"/>, <paramref name="hi"/>] ([B, …] each).
    /// The identity (nothing back-substituted: the quantity is the input itself) gives lo or hi, flattened.</summary>
    public static TorchSharp.torch.Tensor Concretize(LinearBound bound, TorchSharp.torch.Tensor lo, TorchSharp.torch.Tensor hi, bool lower)
    {
        if (bound.A is not { } a)
            return lower ? lo.flatten(1) : hi.flatten(1);
        var (center, radius) = ((lo + hi) / 2, (hi - lo) / 2);
        var value = lower ? SignSplit.LowerOverBox(a, center, radius) : SignSplit.UpperOverBox(a, center, radius);
        return bound.Const is null ? value : value + bound.Const;
    }
}
