using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Certify.Functional.Data;

namespace Certify.Cli;

/// <summary>Numbers on the command line: the invariant culture, a decimal point, no group separators. The default
/// parser accepts thousands separators, so <c>--eps 0,1</c> became ε = 1 and <c>--eps 1,000</c> 1000; here they are
/// refused with a one-line reason.</summary>
static class CliNumbers
{
    const NumberStyles Style = NumberStyles.Float;           // sign, decimal point, exponent; no thousands

    /// <summary>Installs the strict parser on every <c>double</c> and <c>double?</c> option of the tree.</summary>
    public static void Apply(Command command)
    {
        foreach (var option in command.Options)
        {
            bool radius = option.Name is "--eps" or "--eps-start" or "--eps-test";
            if (option is Option<double> d) d.CustomParser = radius ? Radius : Parse;
            else if (option is Option<double?> n) n.CustomParser = r => r.Tokens.Count == 0 ? null : radius ? Radius(r) : Parse(r);
        }
        foreach (var sub in command.Subcommands) Apply(sub);
    }

    // A perturbation radius: a number and the one rule for ε (PixelEpsilon), for every command.
    static double Radius(ArgumentResult result)
    {
        double value = Parse(result);
        if (result.Errors.Any()) return value;
        if (PixelEpsilon.Problem(value, result.Parent is OptionResult o ? o.Option.Name : "--eps") is { } problem) result.AddError(problem);
        return value;
    }

    static double Parse(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (double.TryParse(text, Style, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)) return value;
        string name = result.Parent is OptionResult o ? o.Option.Name : "the value";
        result.AddError(text.Contains(',')
            ? $"{name}: '{text}' is not a number; use a decimal point (0.1), without group separators."
            : $"{name}: '{text}' is not a finite number.");
        return 0;
    }
}
