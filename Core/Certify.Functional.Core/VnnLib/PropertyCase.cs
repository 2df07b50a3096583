namespace Certify.Functional.VnnLib;

/// <summary>An input box and a disjunction of output clauses under it: an x in [<c>Lower</c>, <c>Upper</c>] whose output
/// satisfies some clause is a counterexample.</summary>
/// <param name="Lower">Lower bound of each input X_i (finite).</param>
/// <param name="Upper">Upper bound of each input X_i (finite, ≥ <paramref name="Lower"/>).</param>
/// <param name="Clauses">The unsafe output sets, any one of which is enough.</param>
public sealed record PropertyCase(double[] Lower, double[] Upper, IReadOnlyList<OutputClause> Clauses);
