namespace Certify.Functional.VnnLib;

/// <summary>A symbol or number token, at the position of its first character.</summary>
internal sealed record SAtom(string Text, TextPosition At) : SNode(At);
