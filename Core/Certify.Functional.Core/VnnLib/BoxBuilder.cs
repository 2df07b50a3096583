using System.Globalization;

namespace Certify.Functional.VnnLib;

/// <summary>The input box being built, with the position of the constraint that set each bound (for messages).</summary>
internal sealed class BoxBuilder
{
    readonly double[] lower, upper;
    readonly TextPosition?[] lowerAt, upperAt;

    public BoxBuilder(int count)
    {
        lower = Enumerable.Repeat(double.NegativeInfinity, count).ToArray();
        upper = Enumerable.Repeat(double.PositiveInfinity, count).ToArray();
        lowerAt = new TextPosition?[count];
        upperAt = new TextPosition?[count];
    }

    public (double Lower, TextPosition? LowerAt, double Upper, TextPosition? UpperAt) At(int i) => (lower[i], lowerAt[i], upper[i], upperAt[i]);

    public void Tighten(InputBound bound) =>
        (lower[bound.Index], lowerAt[bound.Index], upper[bound.Index], upperAt[bound.Index]) = Tighten(At(bound.Index), bound);

    /// <summary>The entry intersected with the bound (the first of equal bounds keeps its position).</summary>
    public static (double Lower, TextPosition? LowerAt, double Upper, TextPosition? UpperAt) Tighten(
        (double Lower, TextPosition? LowerAt, double Upper, TextPosition? UpperAt) held, InputBound bound) =>
        bound.IsUpper
            ? bound.Value < held.Upper ? held with { Upper = bound.Value, UpperAt = bound.At } : held
            : bound.Value > held.Lower ? held with { Lower = bound.Value, LowerAt = bound.At } : held;

    /// <summary>This box with the entries of <paramref name="overrides"/>, checked: every input bounded on both sides, and
    /// no entry empty.</summary>
    public (double[] Lower, double[] Upper) Box(
        IReadOnlyDictionary<int, (double Lower, TextPosition? LowerAt, double Upper, TextPosition? UpperAt)> overrides,
        string source, TextPosition[] declarations, string where)
    {
        var (l, u) = ((double[])lower.Clone(), (double[])upper.Clone());
        for (int i = 0; i < l.Length; i++)
        {
            var entry = overrides.TryGetValue(i, out var o) ? o : At(i);
            (l[i], u[i]) = (entry.Lower, entry.Upper);
            if (entry.LowerAt is null)
                throw VnnLibFailure.Unsupported(source, declarations[i],
                    $"input X_{i} has no lower bound{where}. Every input needs both: add (assert (>= X_{i} c)).");
            if (entry.UpperAt is null)
                throw VnnLibFailure.Unsupported(source, declarations[i],
                    $"input X_{i} has no upper bound{where}. Every input needs both: add (assert (<= X_{i} c)).");
            if (entry.Lower > entry.Upper)
            {
                var (lAt, uAt) = (entry.LowerAt.Value, entry.UpperAt.Value);
                var later = (lAt.Line, lAt.Column).CompareTo((uAt.Line, uAt.Column)) > 0 ? lAt : uAt;
                throw VnnLibFailure.Unsupported(source, later,
                    $"the input box is empty{where}: X_{i} ≥ {F(entry.Lower)} (at {lAt}) and X_{i} ≤ {F(entry.Upper)} (at {uAt}).");
            }
        }
        return (l, u);
    }

    static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
