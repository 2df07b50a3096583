using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Certify.Functional.Generators.Model;

/// <summary>A source position as plain values. A Roslyn <see cref="Location"/> holds its syntax tree, so keeping one
/// in a pipeline model would pin the compilation and break caching; this record is rebuilt into one only when a
/// diagnostic is reported.</summary>
internal sealed record LocationInfo(string FilePath, int Start, int Length, int StartLine, int StartColumn, int EndLine, int EndColumn)
{
    public static LocationInfo? From(Location? location)
    {
        if (location is null || !location.IsInSource) return null;
        var lines = location.GetLineSpan();
        return new LocationInfo(lines.Path, location.SourceSpan.Start, location.SourceSpan.Length,
            lines.StartLinePosition.Line, lines.StartLinePosition.Character,
            lines.EndLinePosition.Line, lines.EndLinePosition.Character);
    }

    public Location ToLocation() =>
        Location.Create(FilePath, new TextSpan(Start, Length),
            new LinePositionSpan(new LinePosition(StartLine, StartColumn), new LinePosition(EndLine, EndColumn)));
}
