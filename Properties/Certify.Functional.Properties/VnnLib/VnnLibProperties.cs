using System.Globalization;
using System.Text;
using Certify.Functional.VnnLib;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VnnLibReader = Certify.Functional.VnnLib.VnnLibReader;

namespace Certify.Functional.Properties.VnnLib;

/// <summary>Round trip: random boxes and linear output rows, written out as VNN-LIB in varied but equivalent forms, parse
/// back to the same numbers bit for bit. Bounded generators: integers in [−5, 5] and two-decimal numbers in [−5, 5], never
/// NaN or ∞.</summary>
[Properties(MaxTest = 200, QuietOnSuccess = true)]
public sealed class VnnLibProperties
{
    /// <summary>A row Σ c·Y ≤ d (or &lt;) and how to write it: bit 0 swaps the sides (≥), bit 1 writes negative numbers as
    /// (- x), bit 2 writes products variable-first.</summary>
    public sealed record Row(double[] Coefficients, double Bound, bool Strict, int Style);

    /// <summary>A box and the rows of one clause; <c>Style</c> bit k writes bound k with the constant on the left.</summary>
    public sealed record Case(double[] Lower, double[] Upper, int Style, Row[] Rows);

    static readonly Gen<double> Number = Gen.Frequency(
        (1, Gen.Choose(-5, 5).Select(k => (double)k)),
        (2, Gen.Choose(-500, 500).Select(k => k / 100.0)));

    static readonly Arbitrary<Case> Cases =
        (from inputs in Gen.Choose(1, 4)
         from outputs in Gen.Choose(1, 6)
         from a in Gen.ArrayOf(Number, inputs)
         from b in Gen.ArrayOf(Number, inputs)
         from boxStyle in Gen.Choose(0, 255)
         from count in Gen.Choose(1, 4)
         from rows in Gen.ArrayOf(
             from coefficients in Gen.ArrayOf(Number, outputs)
             from bound in Number
             from strict in Gen.Elements(false, true)
             from style in Gen.Choose(0, 7)
             select new Row(coefficients.All(c => c == 0) ? [1.0, .. coefficients[1..]] : coefficients, bound, strict, style), count)
         select new Case([.. a.Select((x, i) => Math.Min(x, b[i]))], [.. a.Select((x, i) => Math.Max(x, b[i]))], boxStyle, rows)).ToArbitrary();

    static string Literal(double x, bool negativeAsMinus) =>
        negativeAsMinus && x < 0 ? $"(- {(-x).ToString("R", CultureInfo.InvariantCulture)})" : x.ToString("R", CultureInfo.InvariantCulture);

    static string Write(Case c)
    {
        var text = new StringBuilder("; written by VnnLibProperties\n");
        for (int i = 0; i < c.Lower.Length; i++) text.Append($"(declare-const X_{i} Real)\n");
        for (int j = c.Rows[0].Coefficients.Length - 1; j >= 0; j--) text.Append($"(declare-const Y_{j} Real)\n");   // any order
        for (int i = 0; i < c.Lower.Length; i++)
        {
            bool flip = (c.Style >> (i % 8) & 1) == 1;
            string lo = Literal(c.Lower[i], flip), up = Literal(c.Upper[i], !flip);
            text.Append(flip ? $"(assert (<= {lo} X_{i}))\n(assert (>= {up} X_{i}))\n" : $"(assert (>= X_{i} {lo}))\n(assert (<= X_{i} {up}))\n");
        }
        foreach (var row in c.Rows)
        {
            bool swap = (row.Style & 1) == 1, minus = (row.Style & 2) == 2, variableFirst = (row.Style & 4) == 4;
            var terms = row.Coefficients.Select((k, j) => variableFirst ? $"(* Y_{j} {Literal(k, minus)})" : $"(* {Literal(k, minus)} Y_{j})");
            string sum = $"(+ {string.Join(' ', terms)})", bound = Literal(row.Bound, minus);
            string op = (swap, row.Strict) switch { (false, false) => "<=", (false, true) => "<", (true, false) => ">=", (true, true) => ">" };
            text.Append(swap ? $"(assert ({op} {bound}\n    {sum}))\n" : $"(assert ({op} {sum} {bound}))\n");
        }
        return text.ToString();
    }

    [Property]
    public Property Written_rows_and_boxes_parse_back_bit_for_bit() => Prop.ForAll(Cases, c =>
    {
        string text = Write(c);
        var p = VnnLibReader.Parse(text, "generated.vnnlib").Match(p => p, e => throw new Xunit.Sdk.XunitException(e.Message + "\n" + text));
        var parsed = Assert.Single(p.Cases);
        var rows = Assert.Single(parsed.Clauses).Rows;
        return p.InputCount == c.Lower.Length && p.OutputCount == c.Rows[0].Coefficients.Length
            && parsed.Lower.SequenceEqual(c.Lower) && parsed.Upper.SequenceEqual(c.Upper)
            && rows.Count == c.Rows.Length
            && Enumerable.Range(0, rows.Count).All(k => rows[k].Coefficients.SequenceEqual(c.Rows[k].Coefficients)
                && rows[k].Bound == c.Rows[k].Bound && rows[k].Strict == c.Rows[k].Strict);
    });
}
