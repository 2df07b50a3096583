namespace Certify.Functional.VnnLib;

/// <summary>A conjunction of output rows: the unsafe outputs are those that satisfy every row. A clause with no rows
/// holds for every output.</summary>
/// <param name="Rows">The rows, all of which must hold.</param>
public sealed record OutputClause(IReadOnlyList<OutputRow> Rows);
