namespace Certify.Functional.VnnLib;

/// <summary>Reads a VNN-LIB (SMT-LIB) text into its top-level S-expressions. Comments run from ';' to the end of the
/// line; atoms are maximal runs of characters other than whitespace, '(', ')' and ';'. Iterative, so deep nesting cannot
/// exhaust the stack; nesting beyond <see cref="MaxDepth"/> is rejected.</summary>
internal static class SReader
{
    /// <summary>Deepest nesting accepted (VNN-COMP files nest four levels).</summary>
    public const int MaxDepth = 500;

    public static IReadOnlyList<SNode> Read(string text, string source)
    {
        var top = new List<SNode>();
        var open = new Stack<(List<SNode> Items, TextPosition At)>();
        int line = 1, column = 1, i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '\n') { line++; column = 1; i++; continue; }
            if (char.IsWhiteSpace(c)) { column++; i++; continue; }
            if (c == ';')
            {
                while (i < text.Length && text[i] != '\n') i++;
                continue;
            }
            var at = new TextPosition(line, column);
            if (c == '(')
            {
                if (open.Count >= MaxDepth)
                    throw VnnLibFailure.Syntax(source, at, $"parentheses nested deeper than {MaxDepth} levels.");
                open.Push((new List<SNode>(), at));
                column++; i++;
            }
            else if (c == ')')
            {
                if (open.Count == 0)
                    throw VnnLibFailure.Syntax(source, at, "')' without a matching '('. Fix: remove it or add the missing '('.");
                var (items, start) = open.Pop();
                (open.Count == 0 ? top : open.Peek().Items).Add(new SList(items, start));
                column++; i++;
            }
            else
            {
                int begin = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')' or ';')) i++;
                var atom = new SAtom(text[begin..i], at);
                column += i - begin;
                if (open.Count == 0)
                    throw VnnLibFailure.Syntax(source, at, $"'{atom.Text}' outside parentheses: expected a command such as (declare-const X_0 Real) or (assert …).");
                open.Peek().Items.Add(atom);
            }
        }
        if (open.Count > 0)
        {
            var outermost = open.Last().At;   // a Stack enumerates from its top: the last is the first opened
            throw VnnLibFailure.Syntax(source, outermost,
                $"'(' is never closed: the file ends with {open.Count} unclosed '('. Fix: add the missing ')' to the form that starts here.");
        }
        return top;
    }
}
