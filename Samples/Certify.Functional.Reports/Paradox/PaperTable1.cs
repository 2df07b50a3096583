namespace Certify.Functional.Reports.Paradox;

/// <summary>One row of the paper's Table 1 (MNIST CONV, ε 0.3; reference.md §1, properties.md §7).</summary>
/// <param name="Tightness">The paper's tightness value.</param>
/// <param name="Continuous">Continuity of the loss in the weights (✓ = true).</param>
/// <param name="Insensitive">Sensitivity (✓ = true = not sensitive).</param>
/// <param name="Certified">Certified accuracy in % of the network trained with the relaxation.</param>
public sealed record PaperRow(double Tightness, bool Continuous, bool Insensitive, double Certified);

/// <summary>The paper's Table 1, the one place its values live: the certified order Box ≥ hBox > CROWN-IBP (R), DeepZ, CROWN;
/// continuity ✗ for hBox, CROWN, CROWN-IBP (R); sensitivity ✗ for DeepZ, CROWN, CROWN-IBP (R).</summary>
public static class PaperTable1
{
    /// <summary>Rows by relaxation key (as <see cref="ParadoxPlan.Table1"/>).</summary>
    public static IReadOnlyDictionary<string, PaperRow> Rows { get; } = new Dictionary<string, PaperRow>
    {
        ["box"] = new(0.73, true, true, 86.8), ["hbox"] = new(1.76, false, true, 83.7), ["crown-ibp-r"] = new(2.15, false, false, 75.4),
        ["zono"] = new(3.00, true, false, 69.8), ["crown"] = new(3.36, false, false, 70.2),
    };

    /// <summary>The relaxations the paper calls sensitive (DeepZ, CROWN, CROWN-IBP (R)).</summary>
    public static IReadOnlyList<string> Sensitive { get; } = Rows.Where(r => !r.Value.Insensitive).Select(r => r.Key).ToList();
    /// <summary>The relaxations the paper calls not sensitive (Box, hBox).</summary>
    public static IReadOnlyList<string> Insensitive { get; } = Rows.Where(r => r.Value.Insensitive).Select(r => r.Key).ToList();
}
