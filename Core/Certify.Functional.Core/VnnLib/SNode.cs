namespace Certify.Functional.VnnLib;

/// <summary>An S-expression node read from a VNN-LIB text: an <see cref="SAtom"/> or an <see cref="SList"/>.</summary>
internal abstract record SNode(TextPosition At);
