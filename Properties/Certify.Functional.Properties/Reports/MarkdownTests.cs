using Certify.Functional.Runtime;

namespace Certify.Functional.Properties.Reports;

/// <summary>The one cell escaper every report table goes through: a cell never adds or removes a column.</summary>
public sealed class MarkdownTests
{
    [Theory]
    [InlineData("jumps at |l|=u", @"jumps at \|l\|=u")]
    [InlineData("two\nlines", "two lines")]
    [InlineData("two\r\nlines\rhere", "two lines here")]
    [InlineData("**7.4 %**", "**7.4 %**")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void A_cell_has_its_pipes_escaped_and_its_line_breaks_replaced(string? text, string expected) =>
        Assert.Equal(expected, Markdown.Cell(text));

    [Fact]
    public void A_row_has_one_cell_per_value_and_the_separator_one_per_alignment()
    {
        Assert.Equal(@"| CROWN | 0 (jumps at \|l\|=u) | **7.4 %** |", Markdown.Row("CROWN", "0 (jumps at |l|=u)", "**7.4 %**"));
        Assert.Equal("|---|---:|:---:|", Markdown.Separator("lrc"));
        Assert.Throws<ArgumentException>(() => Markdown.Separator("x"));
    }
}
