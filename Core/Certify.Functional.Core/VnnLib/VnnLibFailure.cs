using Certify.Functional.Errors;
using LanguageExt.Common;

namespace Certify.Functional.VnnLib;

/// <summary>Unwinds the recursive parser to <see cref="VnnLibReader.Parse"/>, which turns it into a failed <c>Fin</c>; it never
/// leaves the parser. (Threading a <c>Fin</c> through every recursive step of the reader and the expression evaluator would
/// hide the grammar; the exception is the one way out and is caught in one place.)</summary>
internal sealed class VnnLibFailure(Error error) : Exception(error.Message)
{
    public Error Error { get; } = error;

    /// <summary>A malformed file (<see cref="ErrorCodes.VnnLibSyntax"/>): "source:line:col: message".</summary>
    public static VnnLibFailure Syntax(string source, TextPosition at, string message) =>
        new(Error.New(ErrorCodes.VnnLibSyntax, $"{source}:{at}: {message}"));

    /// <summary>Well formed but outside the supported subset (<see cref="ErrorCodes.VnnLibUnsupported"/>).</summary>
    public static VnnLibFailure Unsupported(string source, TextPosition at, string message) =>
        new(Error.New(ErrorCodes.VnnLibUnsupported, $"{source}:{at}: {message}"));
}
