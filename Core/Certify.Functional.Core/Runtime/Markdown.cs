namespace Certify.Functional.Runtime;

/// <summary>
/// Rows of the Markdown tables every report writes (summary.md, report.md, table.md, …). Every cell goes through
/// <see cref="Cell"/>, so no cell text can add or remove a column: <c>|</c> becomes <c>\|</c> (GitHub renders it as a
/// pipe, e.g. the switching surface <c>|l|=u</c>) and a line break becomes a space (a row is one line).
/// </summary>
public static class Markdown
{
    /// <summary>The cell text with its pipes escaped and its line breaks replaced by spaces (null = empty).</summary>
    public static string Cell(string? text) =>
        string.IsNullOrEmpty(text) ? "" : text.Replace("\r\n", " ").Replace('\r', ' ').Replace('\n', ' ').Replace("|", "\\|");

    /// <summary>One table row, <c>| a | b |</c>, every cell escaped (<see cref="Cell"/>).</summary>
    public static string Row(params IEnumerable<string?> cells) => "| " + string.Join(" | ", cells.Select(Cell)) + " |";

    /// <summary>The separator row under the header, one column per character of <paramref name="alignments"/>:
    /// <c>l</c> left (<c>---</c>), <c>r</c> right (<c>---:</c>), <c>c</c> centred (<c>:---:</c>).</summary>
    public static string Separator(string alignments) => "|" + string.Concat(alignments.Select(a => a switch
    {
        'l' => "---|",
        'r' => "---:|",
        'c' => ":---:|",
        _ => throw new ArgumentException($"Unknown column alignment '{a}' (l, r or c).", nameof(alignments)),
    }));
}
