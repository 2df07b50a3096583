namespace Certify.Functional.VnnLib;

/// <summary>A VNN-LIB property in disjunctive form. It is SAT iff some case has an x in its box whose output satisfies
/// some of its clauses (a counterexample), and UNSAT iff no case has one.</summary>
/// <param name="Source">The file (or name) it was read from, for messages.</param>
/// <param name="InputCount">Number of declared inputs X_0..X_{n−1}.</param>
/// <param name="OutputCount">Number of declared outputs Y_0..Y_{m−1}.</param>
/// <param name="Cases">The cases; none means the constraints are unsatisfiable as written (trivially UNSAT).</param>
public sealed record VnnLibProperty(string Source, int InputCount, int OutputCount, IReadOnlyList<PropertyCase> Cases);
