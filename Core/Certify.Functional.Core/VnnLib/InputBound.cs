namespace Certify.Functional.VnnLib;

/// <summary>X_<c>Index</c> ≤ <c>Value</c> (<c>IsUpper</c>) or X_<c>Index</c> ≥ <c>Value</c>.</summary>
internal sealed record InputBound(int Index, double Value, bool IsUpper, TextPosition At) : Constraint(At);
