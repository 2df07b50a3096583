namespace Certify.Functional.VnnLib;

/// <summary>A parenthesised list, at the position of its '('.</summary>
internal sealed record SList(IReadOnlyList<SNode> Items, TextPosition At) : SNode(At)
{
    /// <summary>The head symbol, or null when the list is empty or starts with a list.</summary>
    public SAtom? Head => Items.Count > 0 ? Items[0] as SAtom : null;
}
