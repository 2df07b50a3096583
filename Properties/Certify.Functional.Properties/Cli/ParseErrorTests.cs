using Certify.Cli;

namespace Certify.Functional.Properties.Cli;

/// <summary>Issue 15, "wrong results" and "poor messages": numbers are read with a decimal point and no group
/// separators (<c>--eps 0,1</c> was ε = 1, <c>--eps 1,000</c> was 1000), and a command line that does not parse is one
/// line <c>error CF1006: …</c> with exit 2 (it was the whole help text and exit 1). Nothing runs in these cases.</summary>
public sealed class ParseErrorTests
{
    [Theory]
    [InlineData("train", "--eps", "0,1")]
    [InlineData("train", "--eps", "1,000")]
    [InlineData("verify", "--eps", "0,3")]
    [InlineData("attack", "--eps", "1,5")]
    [InlineData("paradox", "--eps", "0,3")]
    [InlineData("train", "--lr", "5,0e-4")]
    public void Group_separators_are_refused_not_read_as_another_number(string command, string option, string value)
    {
        var (code, stdout, stderr) = CliTests.Run(command, option, value);
        Assert.Equal(CliApp.BadInput, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error CF1006: {option}: '{value}' is not a number; use a decimal point", line);
    }

    [Theory]
    [InlineData("error CF1006: Unrecognized command or argument 'frobnicate'.", "frobnicate")]
    [InlineData("error CF1006: Unrecognized command or argument '--bogus'.", "train", "--bogus")]
    [InlineData("error CF1006: --eps: 'abc' is not a finite number.", "attack", "--eps", "abc")]
    [InlineData("error CF1006: --eps: 'NaN' is not a finite number.", "train", "--eps", "NaN")]
    [InlineData("error CF1006: Cannot parse argument 'x' for option '--epochs'", "train", "--epochs", "x")]
    public void A_command_line_that_does_not_parse_is_one_line_and_exit_2(string expected, params string[] args)
    {
        var (code, stdout, stderr) = CliTests.Run(args);
        Assert.Equal(CliApp.BadInput, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expected, line);
        Assert.EndsWith("--help)", line.TrimEnd());
    }

    [Fact]
    public void Decimal_points_and_exponents_still_parse()
    {
        // A value that parses reaches the configuration's own validation (here: --epochs 0), not the parser's error.
        var (code, _, stderr) = CliTests.Run("train", "--eps", "1.5e-1", "--epochs", "0");
        Assert.Equal(CliApp.BadInput, code);
        Assert.DoesNotContain("CF1006", stderr);
    }
}
