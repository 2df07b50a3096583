using Certify.Functional.Bounds;
using Certify.Functional.Relaxations.Shared;

namespace Certify.Functional.Relaxations.DeepPoly;

/// <summary>Concretisation over the input box (relaxations.md §3.7): lower = Σ(A⁺·lo + A⁻·hi) + Const, upper = Σ(A⁺·hi + A⁻·lo) + Const.
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

    /// <summary>Both sides' values [B, K] each over the input region (the lower side's lower bound, the upper side's
    /// upper bound). One A·c and one |A|·r serve both sides while they are equal.</summary>
    public static (TorchSharp.torch.Tensor Lower, TorchSharp.torch.Tensor Upper) ConcretizePair(LinearBoundPair pair, TorchSharp.torch.Tensor lo, TorchSharp.torch.Tensor hi)
    {
        switch (pair)
        {
            case SeparateSides s:
                return (Concretize(s.Lower, lo, hi, lower: true), Concretize(s.Upper, lo, hi, lower: false));
            case FactoredSides { Mid.A: null, U: null, Gap: null } f:
                return (Concretize(f.Mid, lo, hi, lower: true), Concretize(f.Mid, lo, hi, lower: false));
            case FactoredSides { U: null } f:
            {
                var (center, radius) = ((lo + hi) / 2, (hi - lo) / 2);
                var (value, spread) = (SignSplit.Contract(f.Mid.A!, center), SignSplit.Contract(f.Mid.A!.abs(), radius));
                var (lower, upper) = (value - spread, value + spread);
                var (cl, cu) = (LinearBound.Add(f.Mid.Const, f.Gap is null ? null : -f.Gap), LinearBound.Add(f.Mid.Const, f.Gap));
                return (cl is null ? lower : lower + cl, cu is null ? upper : upper + cu);
            }
            case FactoredSides { Units: not null } f:
                return ConcretizePair(SidePairs.WithUnitRows(f), lo, hi);
            case FactoredSides f:
                var sides = SidePairs.Separate(f, f.Mid.A!);
                return (Concretize(sides.Lower, lo, hi, lower: true), Concretize(sides.Upper, lo, hi, lower: false));
            default:
                throw new ArgumentException($"Unknown bound pair {pair.GetType().Name}.");
        }
    }
}
