using System.Globalization;
using System.Text;

namespace Certify.Functional.Verification.Vnn;

/// <summary>An input inside the property's box whose output satisfies one of its clauses. <paramref name="X"/> are
/// float32 values (what an ONNX runtime is fed) held as doubles; <paramref name="Y"/> the network's float64 outputs on
/// them; <paramref name="Y32"/> its float32 outputs. Both satisfy the clause (checked before it is reported).</summary>
public sealed record Counterexample(double[] X, double[] Y, double[] Y32, int Case, int Clause)
{
    /// <summary>The VNN-COMP result file: <c>sat</c>, then <c>((X_0 v) (X_1 v) … (Y_0 v) …)</c>, one assignment a line,
    /// every value round-trip exact (the float32 outputs, as the competition's ONNX runtime computes them).</summary>
    public string ToVnnComp()
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder("sat\n(");
        var items = X.Select((v, i) => $"(X_{i} {v.ToString("R", inv)})").Concat(Y32.Select((v, i) => $"(Y_{i} {v.ToString("R", inv)})")).ToArray();
        text.Append(string.Join("\n ", items)).Append(")\n");
        return text.ToString();
    }
}
