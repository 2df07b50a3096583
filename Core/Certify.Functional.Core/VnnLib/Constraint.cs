namespace Certify.Functional.VnnLib;

/// <summary>One atom of a conjunction after normalisation: an <see cref="InputBound"/> or an
/// <see cref="OutputConstraint"/>.</summary>
internal abstract record Constraint(TextPosition At);
