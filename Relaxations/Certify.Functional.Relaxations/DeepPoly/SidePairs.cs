using Certify.Functional.Bounds;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.DeepPoly;

/// <summary>Moves a <see cref="LinearBoundPair"/> through an exact linear layer with that layer's one-sided module:
/// the middle as an ordinary bound, the factor V of the difference U·V as a bound of its own (its constant joins the
/// gap through U), so the layer's product is done for K + r rows instead of 2K.</summary>
public static class SidePairs
{
    /// <summary>The pair after <paramref name="backward"/> (a linear layer's one-sided back-substitution).</summary>
    public static LinearBoundPair Linear(LinearBoundPair pair, Func<LinearBound, LinearBound> backward) => pair switch
    {
        SeparateSides s => new SeparateSides(backward(s.Lower), backward(s.Upper)),
        FactoredSides { U: null } f => f with { Mid = backward(f.Mid) },
        FactoredSides f => Factored(f, backward(f.Mid), backward(new LinearBound(f.V, null, f.Mid.Columns))),
        _ => throw new ArgumentException($"Unknown bound pair {pair.GetType().Name}."),
    };

    static FactoredSides Factored(FactoredSides f, LinearBound mid, LinearBound difference) => new(mid, f.U, difference.A,
        difference.Const is null ? f.Gap : LinearBound.Add(f.Gap, bmm(f.U!, difference.Const.unsqueeze(2)).squeeze(2)));

    /// <summary>The two sides as ordinary bounds (A of the middle passed in, possibly materialised), [B, K, …] each.</summary>
    public static SeparateSides Separate(FactoredSides f, Tensor a)
    {
        if (f.U is null)
        {
            var mid = f.Mid with { A = a };
            return f.Gap is null
                ? new SeparateSides(mid, mid)
                : new SeparateSides(mid with { Const = LinearBound.Add(mid.Const, -f.Gap) }, mid with { Const = LinearBound.Add(mid.Const, f.Gap) });
        }
        var difference = bmm(f.U, f.V!.flatten(2)).view([f.U.shape[0], f.U.shape[1], .. a.shape[2..]]);
        return new SeparateSides(new LinearBound(a - difference, LinearBound.Add(f.Mid.Const, f.Gap is null ? null : -f.Gap), f.Mid.Columns),
            new LinearBound(a + difference, LinearBound.Add(f.Mid.Const, f.Gap), f.Mid.Columns));
    }
}
