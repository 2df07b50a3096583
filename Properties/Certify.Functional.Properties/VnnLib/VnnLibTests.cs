using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Certify.Functional.Errors;
using Certify.Functional.VnnLib;
using LanguageExt.Common;
using Xunit.Abstractions;
using VnnLibReader = Certify.Functional.VnnLib.VnnLibReader;

namespace Certify.Functional.Properties.VnnLib;

/// <summary>The VNN-LIB parser: the VNN-COMP 2022 files, the semantics of the subset, and its errors.</summary>
public sealed partial class VnnLibTests(ITestOutputHelper log)
{
    const string Header = "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n(declare-const Y_1 Real)\n";
    const string Box = "(assert (>= X_0 0))\n(assert (<= X_0 1))\n(assert (>= X_1 -1))\n(assert (<= X_1 1))\n";

    static VnnLibProperty Ok(string text) =>
        VnnLibReader.Parse(text, "t.vnnlib").Match(p => p, e => throw new Xunit.Sdk.XunitException(e.Message));

    static VnnLibProperty Load(string path) =>
        VnnLibReader.Load(path).Match(p => p, e => throw new Xunit.Sdk.XunitException(e.Message));

    static Error Fails(string text) =>
        VnnLibReader.Parse(text, "t.vnnlib").Match(p => throw new Xunit.Sdk.XunitException($"parsed: {p.Cases.Count} cases"), e => e);

    static void AssertError(Error error, int code, string start, string contains)
    {
        Assert.True(error.Code == code && error.Message.StartsWith(start, StringComparison.Ordinal), $"expected CF{code} '{start}…', got CF{error.Code} '{error.Message}'");
        Assert.Contains(contains, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    static string Text(string path)
    {
        using var file = File.OpenRead(path);
        using var stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"\(assert \((<=|>=) X_(\d+) ([^()\s]+)\)\)")]
    private static partial Regex SimpleInputBound();

    /// <summary>The box an independent reading of the file's one-line "(assert (<= X_i c))" bounds gives.</summary>
    static (double[] Lower, double[] Upper) SimpleBox(string text, int inputs)
    {
        var (lower, upper) = (new double[inputs], new double[inputs]);
        foreach (Match m in SimpleInputBound().Matches(text))
        {
            double value = double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
            (m.Groups[1].Value == "<=" ? upper : lower)[int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)] = value;
        }
        return (lower, upper);
    }

    static double[] Unit(int size, params (int Index, double Value)[] entries)
    {
        var v = new double[size];
        foreach (var (i, x) in entries) v[i] = x;
        return v;
    }

    // ---- the VNN-COMP 2022 files -------------------------------------------------------------------------------------

    [VnnCompFact]
    public void Every_vnncomp_property_parses_into_well_formed_cases()
    {
        var files = Directory.EnumerateFiles(VnnCompFactAttribute.Root!, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".vnnlib", StringComparison.Ordinal) || f.EndsWith(".vnnlib.gz", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(74, files.Count);   // 4 test + 10 acasxu + 30 mnist_fc + 30 oval21 (README)
        var sizes = new Dictionary<string, (int Inputs, int Outputs)> { ["acasxu"] = (5, 5), ["mnist_fc"] = (784, 10), ["oval21"] = (3072, 10) };
        foreach (var kind in files.GroupBy(f => Path.GetRelativePath(VnnCompFactAttribute.Root!, f).Split(Path.DirectorySeparatorChar)[0]))
        {
            int cases = 0, clauses = 0, rows = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            foreach (var file in kind)
            {
                var p = Load(file);
                if (sizes.TryGetValue(kind.Key, out var expected)) Assert.Equal(expected, (p.InputCount, p.OutputCount));
                Assert.NotEmpty(p.Cases);
                foreach (var c in p.Cases)
                {
                    Assert.Equal(p.InputCount, c.Lower.Length);
                    Assert.Equal(p.InputCount, c.Upper.Length);
                    Assert.All(Enumerable.Range(0, p.InputCount), i => Assert.True(double.IsFinite(c.Lower[i]) && c.Lower[i] <= c.Upper[i]));
                    Assert.NotEmpty(c.Clauses);
                    Assert.All(c.Clauses.SelectMany(k => k.Rows), r => Assert.Equal(p.OutputCount, r.Coefficients.Length));
                    clauses += c.Clauses.Count;
                    rows += c.Clauses.Sum(k => k.Rows.Count);
                }
                cases += p.Cases.Count;
            }
            log.WriteLine($"{kind.Key}: {kind.Count()} files, {cases} cases, {clauses} clauses, {rows} rows ({clock.Elapsed.TotalSeconds:F1} s with checks)");
        }
    }

    [VnnCompFact]
    public void Test_prop_is_acasxu_property_3_exactly()
    {
        var p = Load(Path.Combine(VnnCompFactAttribute.Root!, "test", "test_prop.vnnlib"));
        Assert.Equal((5, 5), (p.InputCount, p.OutputCount));
        var c = Assert.Single(p.Cases);
        Assert.Equal(-0.30353115613746867, c.Lower[0]);
        Assert.Equal(-0.29855281193475053, c.Upper[0]);
        Assert.Equal(new[] { -0.30353115613746867, -0.009549296585513092, 0.4933803235848431, 0.3, 0.3 }, c.Lower);
        Assert.Equal(new[] { -0.29855281193475053, 0.009549296585513092, 0.49999999998567607, 0.5, 0.5 }, c.Upper);
        var clause = Assert.Single(c.Clauses);
        Assert.Equal(4, clause.Rows.Count);
        for (int i = 1; i <= 4; i++)   // (<= Y_0 Y_i): Y_0 − Y_i ≤ 0
        {
            Assert.Equal(Unit(5, (0, 1.0), (i, -1.0)), clause.Rows[i - 1].Coefficients);
            Assert.Equal(0.0, clause.Rows[i - 1].Bound);
            Assert.False(clause.Rows[i - 1].Strict);
        }
    }

    [VnnCompFact]
    public void Test_tiny_is_one_case_from_its_disjunct()
    {
        var p = Load(Path.Combine(VnnCompFactAttribute.Root!, "test", "test_tiny.vnnlib"));
        var c = Assert.Single(p.Cases);
        Assert.Equal(new[] { -1.0 }, c.Lower);
        Assert.Equal(new[] { 1.0 }, c.Upper);
        var row = Assert.Single(Assert.Single(c.Clauses).Rows);   // (>= Y_0 100): −Y_0 ≤ −100
        Assert.Equal(new[] { -1.0 }, row.Coefficients);
        Assert.Equal(-100.0, row.Bound);
    }

    [VnnCompFact]
    public void Mnist_fc_property_has_784_bounds_and_9_one_row_clauses()
    {
        string path = Path.Combine(VnnCompFactAttribute.Root!, "mnist_fc", "vnnlib", "prop_0_0.03.vnnlib.gz");
        var p = Load(path);
        var c = Assert.Single(p.Cases);
        var (lower, upper) = SimpleBox(Text(path), 784);
        Assert.Equal(lower, c.Lower);
        Assert.Equal(upper, c.Upper);
        Assert.True(Enumerable.Range(0, 784).Count(i => c.Upper[i] > c.Lower[i]) > 700);   // a real ε-box, not a point
        Assert.Equal(9, c.Clauses.Count);
        var others = Enumerable.Range(0, 10).Where(j => j != 4).ToList();   // label 4: (>= Y_j Y_4) is Y_4 − Y_j ≤ 0
        for (int k = 0; k < 9; k++)
        {
            var row = Assert.Single(c.Clauses[k].Rows);
            Assert.Equal(Unit(10, (4, 1.0), (others[k], -1.0)), row.Coefficients);
            Assert.Equal(0.0, row.Bound);
        }
    }

    [VnnCompFact]
    public void Acasxu_disjunctions_give_their_clauses_and_boxes()
    {
        string dir = Path.Combine(VnnCompFactAttribute.Root!, "acasxu", "vnnlib");
        var p7 = Load(Path.Combine(dir, "prop_7.vnnlib.gz"));   // (or (and 3 rows) (and 3 rows))
        var c7 = Assert.Single(p7.Cases);
        Assert.Equal(Regex.Matches(Text(Path.Combine(dir, "prop_7.vnnlib.gz")), @"\(and ").Count, c7.Clauses.Count);
        Assert.Equal(new[] { 3, 3 }, c7.Clauses.Select(k => k.Rows.Count));
        Assert.Equal(Unit(5, (3, 1.0), (0, -1.0)), c7.Clauses[0].Rows[0].Coefficients);   // (<= Y_3 Y_0): Y_3 − Y_0 ≤ 0
        var p8 = Load(Path.Combine(dir, "prop_8.vnnlib.gz"));
        Assert.Equal(new[] { 2, 2, 2 }, Assert.Single(p8.Cases).Clauses.Select(k => k.Rows.Count));

        // prop_6: an 'or' of two input boxes and an 'or' of four output rows: two cases of four clauses each.
        var p6 = Load(Path.Combine(dir, "prop_6.vnnlib.gz"));
        Assert.Equal(2, p6.Cases.Count);
        Assert.All(p6.Cases, c => Assert.Equal(4, c.Clauses.Count));
        Assert.Equal((0.11140846, 0.499999896), (p6.Cases[0].Lower[1], p6.Cases[0].Upper[1]));
        Assert.Equal((-0.499999896, -0.11140846), (p6.Cases[1].Lower[1], p6.Cases[1].Upper[1]));
        Assert.Equal((-0.129289109, 0.700434925), (p6.Cases[1].Lower[0], p6.Cases[1].Upper[0]));
    }

    // ---- semantics ---------------------------------------------------------------------------------------------------

    [Fact]
    public void Numbers_variables_and_linear_forms_normalise_to_rows()
    {
        var p = Ok(Header + "(declare-const Y_2 Real)\n" +
                   "(assert (<= 1.5e-3 X_0))\n(assert (>= 0.7 X_0))\n(assert (>= X_1 (- 0.5)))\n(assert (<= X_1 -0.25))\n" +
                   "(assert (<= (+ (* 2 Y_0) (* Y_1 -3) 1) (- Y_2 Y_0 0.5)))\n(assert (> Y_2 (- Y_1)))\n");
        var c = Assert.Single(p.Cases);
        Assert.Equal(new[] { 0.0015, -0.5 }, c.Lower);
        Assert.Equal(new[] { 0.7, -0.25 }, c.Upper);
        var rows = Assert.Single(c.Clauses).Rows;
        Assert.Equal(2, rows.Count);
        // 2Y_0 − 3Y_1 + 1 ≤ Y_2 − Y_0 − 0.5  ⇔  3Y_0 − 3Y_1 − Y_2 ≤ −1.5
        Assert.Equal(new[] { 3.0, -3.0, -1.0 }, rows[0].Coefficients);
        Assert.Equal(-1.5, rows[0].Bound);
        Assert.False(rows[0].Strict);
        // Y_2 > −Y_1  ⇔  −Y_1 − Y_2 ≤ 0, read as ≤ and marked strict
        Assert.Equal(new[] { 0.0, -1.0, -1.0 }, rows[1].Coefficients);
        Assert.Equal(0.0, rows[1].Bound);
        Assert.True(rows[1].Strict);
    }

    [Fact]
    public void A_scaled_input_bound_is_rounded_outward()
    {
        var c = Assert.Single(Ok(Header + "(assert (<= (* 3 X_0) 1))\n(assert (>= (* 3 X_0) -1))\n(assert (>= X_1 0))\n(assert (<= X_1 (* 0.5 1)))\n(assert (<= Y_0 0))\n").Cases);
        Assert.True(Math.FusedMultiplyAdd(c.Upper[0], 3, -1) >= 0, "3·upper ≥ 1");
        Assert.True(Math.FusedMultiplyAdd(c.Lower[0], 3, 1) <= 0, "3·lower ≤ −1");
        Assert.Equal(Math.BitIncrement(1.0 / 3), c.Upper[0]);   // 1/3 rounds down to nearest, so one step out
        Assert.Equal(-Math.BitIncrement(1.0 / 3), c.Lower[0]);
        Assert.Equal(0.5, c.Upper[1]);
    }

    [Fact]
    public void Disjuncts_with_bounds_become_cases_and_output_ors_distribute()
    {
        var p = Ok(Header + "(assert (>= X_1 -1))\n(assert (<= X_1 1))\n" +
                   "(assert (or (and (>= X_0 0) (<= X_0 1) (<= Y_0 0)) (and (>= X_0 2) (<= X_0 3))))\n" +
                   "(assert (or (and (<= Y_1 5)) (and (>= Y_1 6) (<= Y_0 Y_1))))\n");
        Assert.Equal(2, p.Cases.Count);
        Assert.Equal(new[] { 0.0, -1.0 }, p.Cases[0].Lower);
        Assert.Equal(new[] { 1.0, 1.0 }, p.Cases[0].Upper);
        Assert.Equal(new[] { 2.0, -1.0 }, p.Cases[1].Lower);
        Assert.Equal(new[] { 3.0, 1.0 }, p.Cases[1].Upper);
        // case 1: (Y_0 ≤ 0 ∧ Y_1 ≤ 5) ∨ (Y_0 ≤ 0 ∧ Y_1 ≥ 6 ∧ Y_0 ≤ Y_1); case 2: the same without Y_0 ≤ 0
        Assert.Equal(new[] { 2, 3 }, p.Cases[0].Clauses.Select(k => k.Rows.Count));
        Assert.Equal(new[] { 1, 2 }, p.Cases[1].Clauses.Select(k => k.Rows.Count));
        Assert.Equal(new[] { 0.0, -1.0 }, p.Cases[1].Clauses[1].Rows[0].Coefficients);
        Assert.Equal(-6.0, p.Cases[1].Clauses[1].Rows[0].Bound);
    }

    [Fact]
    public void Disjuncts_with_the_same_box_share_a_case()
    {
        var p = Ok(Header + "(assert (or (and (>= X_0 0) (<= X_0 1) (<= Y_0 0)) (and (<= X_0 1) (>= X_0 0) (<= Y_1 0))))\n(assert (>= X_1 0))\n(assert (<= X_1 0))\n");
        var c = Assert.Single(p.Cases);
        Assert.Equal(2, c.Clauses.Count);
        Assert.Equal((0.0, 0.0), (c.Lower[1], c.Upper[1]));   // a point interval is a box
    }

    [Fact]
    public void Constant_comparisons_fold_and_an_unsatisfiable_property_has_no_cases()
    {
        Assert.Single(Assert.Single(Ok(Header + Box + "(assert (<= 0 1))\n(assert (<= Y_0 1))\n").Cases).Clauses[0].Rows);
        Assert.Empty(Ok(Header + Box + "(assert (<= 2 1))\n(assert (<= Y_0 1))\n").Cases);
    }

    [Fact]
    public void Distribution_beyond_the_cap_is_refused()
    {
        var ors = string.Concat(Enumerable.Range(0, 3).Select(_ =>
            "(assert (or " + string.Concat(Enumerable.Range(0, 30).Select(k => $"(and (<= Y_0 {k}))")) + "))\n"));
        AssertError(Fails(Header + Box + ors), ErrorCodes.VnnLibUnsupported, "t.vnnlib:9:1: ", "more than 10000 clauses");
    }

    // ---- errors: one line, file:line:column ---------------------------------------------------------------------------

    [Fact]
    public void Missing_paren_names_the_form_that_never_closes()
    {
        AssertError(Fails(Header + "(assert (>= X_0 0)\n(assert (<= X_0 1))\n"), ErrorCodes.VnnLibSyntax, "t.vnnlib:5:1: ", "never closed");
        AssertError(Fails(Header + "(assert (>= X_0 0)))\n"), ErrorCodes.VnnLibSyntax, "t.vnnlib:5:20: ", "without a matching '('");
    }

    [Fact]
    public void Unknown_operator_is_named_where_it_stands()
    {
        AssertError(Fails(Header + Box + "(assert (=> X_0 1))\n"), ErrorCodes.VnnLibSyntax, "t.vnnlib:9:10: ", "unknown operator '=>'");
        AssertError(Fails(Header + Box + "(assert (<= (/ Y_0 2) 1))\n"), ErrorCodes.VnnLibSyntax, "t.vnnlib:9:14: ", "unknown operator '/'");
        AssertError(Fails(Header + Box + "  (assert (<= Y_0 one))\n"), ErrorCodes.VnnLibSyntax, "t.vnnlib:9:19: ", "unknown token 'one'");
        AssertError(Fails(Header + "(declare-fun X_2 () Real)\n"), ErrorCodes.VnnLibSyntax, "t.vnnlib:5:2: ", "unknown command 'declare-fun'");
    }

    [Fact]
    public void Undeclared_and_out_of_range_variables_are_syntax_errors()
    {
        AssertError(Fails(Header + Box + "; outputs\n(assert (<= Y_7 0))\n"), ErrorCodes.VnnLibSyntax, "t.vnnlib:10:13: ", "'Y_7' is not declared");
        AssertError(Fails("(declare-const X_0 Real)\n(declare-const X_2 Real)\n(declare-const Y_0 Real)\n"), ErrorCodes.VnnLibSyntax,
            "t.vnnlib:2:16: ", "'X_1' is not");
        AssertError(Fails(Header + "(declare-const  Y_1 Real)\n"), ErrorCodes.VnnLibSyntax, "t.vnnlib:5:17: ", "declared twice (first at 4:16)");
    }

    [Fact]
    public void Unbounded_input_is_named_at_its_declaration()
    {
        AssertError(Fails(Header + "(assert (>= X_0 0))\n(assert (<= X_0 1))\n(assert (>= X_1 0))\n(assert (<= Y_0 0))\n"),
            ErrorCodes.VnnLibUnsupported, "t.vnnlib:2:16: ", "X_1 has no upper bound");
        AssertError(Fails(Header + "(assert (<= X_0 1))\n(assert (>= X_1 0))\n(assert (<= X_1 1))\n"),
            ErrorCodes.VnnLibUnsupported, "t.vnnlib:1:16: ", "X_0 has no lower bound");
        AssertError(Fails(Header + "(assert (>= X_1 0))\n(assert (<= X_1 1))\n(assert (or (and (>= X_0 0) (<= X_0 1)) (and (>= X_0 2))))\n"),
            ErrorCodes.VnnLibUnsupported, "t.vnnlib:1:16: ", "X_0 has no upper bound in the case of disjunct 2 of the assert at 7:1");
    }

    [Fact]
    public void Constraints_outside_the_subset_are_unsupported()
    {
        AssertError(Fails(Header + Box + "(assert (<= X_0 Y_0))\n"), ErrorCodes.VnnLibUnsupported, "t.vnnlib:9:10: ", "mixes inputs (X_0) and outputs (Y_0)");
        AssertError(Fails(Header + Box + "(assert (<= (+ X_0 X_1) 1))\n"), ErrorCodes.VnnLibUnsupported, "t.vnnlib:9:10: ", "combines X_0, X_1");
        AssertError(Fails(Header + Box + "(assert (<= (* Y_0 Y_1) 1))\n"), ErrorCodes.VnnLibUnsupported, "t.vnnlib:9:14: ", "non-linear");
        AssertError(Fails(Header + Box + "(assert (>= X_1 2))\n"), ErrorCodes.VnnLibUnsupported, "t.vnnlib:9:10: ", "box is empty");
        AssertError(Fails(Header.Replace("Y_1 Real", "Y_1 Int")), ErrorCodes.VnnLibUnsupported, "t.vnnlib:4:20: ", "only Real");
    }

    // ---- files -------------------------------------------------------------------------------------------------------

    [Fact]
    public void Load_is_gzip_transparent_by_content_not_name()
    {
        string text = Header + Box + "(assert (or (and (<= Y_0 Y_1)) (and (>= Y_0 3))))\n";
        var dir = Path.Combine(Path.GetTempPath(), "certify-vnnlib-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        try
        {
            string zipped = Path.Combine(dir, "p.vnnlib"), plain = Path.Combine(dir, "q.vnnlib.gz");
            using (var gzip = new GZipStream(File.Create(zipped), CompressionLevel.Optimal)) gzip.Write(Encoding.UTF8.GetBytes(text));
            File.WriteAllText(plain, text);
            Assert.Equal(0x1f, File.ReadAllBytes(zipped)[0]);
            var expected = Ok(text);
            foreach (var path in new[] { zipped, plain })
            {
                var p = Load(path);
                Assert.Equal(path, p.Source);
                Assert.Equal(expected.Cases[0].Lower, p.Cases[0].Lower);
                Assert.Equal(expected.Cases[0].Clauses.Select(k => k.Rows[0].Coefficients), p.Cases[0].Clauses.Select(k => k.Rows[0].Coefficients));
            }
            var missing = VnnLibReader.Load(Path.Combine(dir, "none.vnnlib")).Match(_ => throw new Xunit.Sdk.XunitException("loaded"), e => e);
            Assert.Equal(ErrorCodes.MissingFile, missing.Code);
            File.WriteAllText(zipped, Header + "(assert (<= X_0 1)\n");
            var error = VnnLibReader.Load(zipped).Match(_ => throw new Xunit.Sdk.XunitException("loaded"), e => e);
            Assert.StartsWith(zipped + ":5:1: ", error.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Check_names_both_sizes_on_mismatch()
    {
        var p = Ok(Header + Box + "(assert (<= Y_0 Y_1))\n");
        Assert.True(VnnLibReader.Check(p, 2, 2).IsSucc);
        var error = VnnLibReader.Check(p, 784, 2).Match(_ => throw new Xunit.Sdk.XunitException("accepted"), e => e);
        Assert.Equal(ErrorCodes.VnnLibMismatch, error.Code);
        Assert.Contains("declares 2 inputs", error.Message);
        Assert.Contains("network has 784 inputs and 2 outputs", error.Message);
        Assert.Equal(ErrorCodes.VnnLibMismatch, VnnLibReader.Check(p, 2, 10).Match(_ => 0, e => e.Code));
    }
}
