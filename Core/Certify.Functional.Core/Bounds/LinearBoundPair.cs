using static TorchSharp.torch;

namespace Certify.Functional.Bounds;

/// <summary>
/// Both sides (lower and upper) of one back-substituted quantity, carried through a single chain: the pre-activation
/// bounds of DeepPoly bound every neuron from below and from above over the same layers. The two sides start equal and
/// part only at ReLU neurons whose lower and upper lines differ (crossing neurons), so their difference stays of low rank
/// while few neurons cross; <see cref="FactoredSides"/> keeps it factored, <see cref="SeparateSides"/> holds two ordinary
/// bounds once that no longer pays. Tensors owned by the caller's dispose scope.
/// </summary>
public abstract record LinearBoundPair
{
    /// <summary>The identity on both sides.</summary>
    public static LinearBoundPair Identity { get; } = new FactoredSides(LinearBound.Identity, null, null, null);
}

/// <summary>Lower side Mid − U·V with constant Mid.Const − Gap, upper side Mid + U·V with constant Mid.Const + Gap.
/// U [B, K, r], V [B, r, …shape] (compacted to <c>Mid.Columns</c> like Mid.A when those are set), Gap [B, K]; null
/// U/V/Gap stand for 0 (both sides equal). <paramref name="Units"/> (int64 [B, c], flat neuron indices, never
/// compacted) appends c unit rows to V, kept as indices: through the next Dense layer they are just rows of its weight.</summary>
public sealed record FactoredSides(LinearBound Mid, Tensor? U, Tensor? V, Tensor? Gap, Tensor? Units = null) : LinearBoundPair;

/// <summary>Two independent sides.</summary>
public sealed record SeparateSides(LinearBound Lower, LinearBound Upper) : LinearBoundPair;
