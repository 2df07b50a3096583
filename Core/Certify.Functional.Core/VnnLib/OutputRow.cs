namespace Certify.Functional.VnnLib;

/// <summary>One linear constraint on the outputs, Σ_i <c>Coefficients[i]</c>·Y_i ≤ <c>Bound</c>. A strict <c>&lt;</c> or
/// <c>&gt;</c> is read as <c>≤</c>/<c>≥</c>, as VNN-COMP does (the closure of the set); <see cref="Strict"/> records it for
/// reporting.</summary>
/// <param name="Coefficients">One coefficient per output (length = <see cref="VnnLibProperty.OutputCount"/>).</param>
/// <param name="Bound">The right-hand side d.</param>
/// <param name="Strict">The file wrote <c>&lt;</c> or <c>&gt;</c>.</param>
public sealed record OutputRow(double[] Coefficients, double Bound, bool Strict);
