using System.Text.RegularExpressions;

namespace Certify.Functional.Properties.Docs;

/// <summary>The code's citations of formulas point into the project's own docs: no "SPEC §" (the specification is not
/// in the repository) and every "docs-file.md §n" names a heading of that file.</summary>
public partial class CitationTests
{
    static readonly string Root = FindRoot();

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Certify.Functional.sln"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (Certify.Functional.sln) is not above the test assembly.");
    }

    // Source and prose of the repository, without build output and the citation map itself.
    static IEnumerable<string> Sources() =>
        new[] { "Core", "Relaxations", "Generators", "Samples", "Properties", "docs", "scripts" }
            .Select(d => Path.Combine(Root, d)).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Append(Path.Combine(Root, "README.md"))
            .Where(f => f.EndsWith(".cs") || f.EndsWith(".md") || f.EndsWith(".sh") || f.EndsWith(".txt"))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(f => !f.EndsWith("respec.sh") && !f.EndsWith(nameof(CitationTests) + ".cs"));

    [GeneratedRegex(@"SPEC(\.md)?\s*§")]
    private static partial Regex SpecCitation();

    [GeneratedRegex(@"\b(relaxations|training|properties|soundness|reference)\.md §(\d+(?:\.\d+)*)")]
    private static partial Regex DocCitation();

    [Fact]
    public void No_citation_points_to_the_specification_outside_the_repository()
    {
        var dangling = Sources().SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(t => SpecCitation().IsMatch(t.line))
            .Select(t => $"{Path.GetRelativePath(Root, t.f)}:{t.i + 1}").ToList();
        Assert.True(dangling.Count == 0, "\"SPEC §\" citations left (run scripts/respec.sh): " + string.Join(", ", dangling.Take(20)));
    }

    [Fact]
    public void Every_docs_citation_names_a_heading()
    {
        var headings = new Dictionary<string, HashSet<string>>();
        HashSet<string> Of(string doc) => headings.TryGetValue(doc, out var h) ? h : headings[doc] =
            File.ReadLines(Path.Combine(Root, "docs", doc + ".md"))
                .Select(l => Regex.Match(l, @"^#+ (?:§\s*)?(\d+(?:\.\d+)*)\b")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet();
        var cited = Sources().SelectMany(f => File.ReadLines(f).SelectMany(l => DocCitation().Matches(l)).Select(m => (f, doc: m.Groups[1].Value, section: m.Groups[2].Value)))
            .ToList();
        Assert.NotEmpty(cited);
        var missing = cited.Where(c => !Of(c.doc).Contains(c.section.TrimEnd('.'))).Select(c => $"{Path.GetRelativePath(Root, c.f)}: {c.doc}.md §{c.section}").Distinct().ToList();
        Assert.True(missing.Count == 0, "Citations of sections the docs do not have: " + string.Join(", ", missing.Take(20)));
    }
}
