namespace Certify.Functional.VnnLib;

/// <summary>A 1-based line and column in a VNN-LIB text (columns count characters; a tab is one).</summary>
internal readonly record struct TextPosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}
