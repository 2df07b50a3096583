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
        FactoredSides { Units: not null } f => Linear(WithUnitRows(f), backward),
        SeparateSides s => new SeparateSides(backward(s.Lower), backward(s.Upper)),
        FactoredSides { U: null } f => f with { Mid = backward(f.Mid) },
        FactoredSides f => Factored(f, Both(f, backward)),
        _ => throw new ArgumentException($"Unknown bound pair {pair.GetType().Name}."),
    };

    // Mid and V's rows through the layer. When both are compacted per example (Columns), as one product: the layer's
    // weight rows are gathered once for K + r rows instead of twice.
    static (LinearBound Mid, LinearBound? Rows) Both(FactoredSides f, Func<LinearBound, LinearBound> backward)
    {
        if (f.V is null) return (backward(f.Mid), null);
        if (f.Mid.Columns is null || f.Mid.A is null) return (backward(f.Mid), backward(new LinearBound(f.V, null, f.Mid.Columns)));
        long k = f.Mid.A.shape[1], r = f.V.shape[1];
        var joint = backward(new LinearBound(cat([f.Mid.A, f.V], 1), null, f.Mid.Columns));
        return (new LinearBound(joint.A!.narrow(1, 0, k), LinearBound.Add(f.Mid.Const, joint.Const?.narrow(1, 0, k))),
            new LinearBound(joint.A!.narrow(1, k, r), joint.Const?.narrow(1, k, r)));
    }

    static FactoredSides Factored(FactoredSides f, (LinearBound Mid, LinearBound? Rows) moved) => new(moved.Mid, f.U, moved.Rows!.A,
        moved.Rows.Const is null ? f.Gap : LinearBound.Add(f.Gap, bmm(f.U!, moved.Rows.Const.unsqueeze(2)).squeeze(2)));

    /// <summary>Through a Dense layer: the unit rows of V become the weight's rows (and bias entries) at their neurons.</summary>
    public static LinearBoundPair Dense(Layers.Dense layer, LinearBoundPair pair, Func<LinearBound, LinearBound> backward)
    {
        if (pair is not FactoredSides { Units: { } units } f) return Linear(pair, backward);
        long batch = units.shape[0], count = units.shape[1];
        var rows = layer.Weight.index_select(0, units.flatten()).view(batch, count, -1);     // [B, c, in]
        var bias = layer.Bias.index_select(0, units.flatten()).view(batch, count);
        var (mid, dense) = Both(f, backward);
        var v = dense is null ? rows : cat([dense.A!, rows], 1);
        var constant = dense?.Const is null ? bias : cat([dense.Const, bias], 1);          // [B, r + c]
        return new FactoredSides(mid, f.U, v, LinearBound.Add(f.Gap, bmm(f.U!, constant.unsqueeze(2)).squeeze(2)));
    }

    /// <summary>The unit rows as explicit one-hot rows of V (for layers other than Dense, and the input).</summary>
    public static FactoredSides WithUnitRows(FactoredSides f)
    {
        if (f.Units is not { } units) return f;
        long[] shape = f.V?.shape[2..] ?? f.Mid.A!.shape[2..];
        long n = shape.Aggregate(1L, (x, y) => x * y);
        var dtype = f.U!.dtype;
        var unitRows = zeros(units.shape[0], units.shape[1], n, dtype: dtype, device: units.device)
            .scatter(2, units.unsqueeze(2), ones(units.shape[0], units.shape[1], 1, dtype: dtype, device: units.device))
            .view([units.shape[0], units.shape[1], .. shape]);
        return f with { V = f.V is null ? unitRows : cat([f.V, unitRows], 1), Units = null };
    }

    /// <summary>The two sides as ordinary bounds (A of the middle passed in, possibly materialised), [B, K, …] each.</summary>
    public static SeparateSides Separate(FactoredSides f, Tensor a)
    {
        f = WithUnitRows(f);
        if (f.U is null)
        {
            var mid = f.Mid with { A = a };
            return f.Gap is null
                ? new SeparateSides(mid, mid)
                : new SeparateSides(mid with { Const = LinearBound.Add(mid.Const, -f.Gap) }, mid with { Const = LinearBound.Add(mid.Const, f.Gap) });
        }
        // (TorchSharp 0.107's baddbmm mis-binds its operands, so the product is formed once and added and subtracted.)
        var difference = bmm(f.U, f.V!.flatten(2)).view([f.U.shape[0], f.U.shape[1], .. a.shape[2..]]);
        return new SeparateSides(new LinearBound(a - difference, LinearBound.Add(f.Mid.Const, f.Gap is null ? null : -f.Gap), f.Mid.Columns),
            new LinearBound(a + difference, LinearBound.Add(f.Mid.Const, f.Gap), f.Mid.Columns));
    }
}
