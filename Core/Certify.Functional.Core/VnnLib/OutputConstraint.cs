namespace Certify.Functional.VnnLib;

/// <summary>A linear constraint over the outputs, as the row it becomes.</summary>
internal sealed record OutputConstraint(OutputRow Row, TextPosition At) : Constraint(At);
