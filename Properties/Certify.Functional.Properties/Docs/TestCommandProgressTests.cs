using System.Text.Json;
using System.Xml.Linq;

namespace Certify.Functional.Properties.Docs;

/// <summary>Issue 15: "the test command runs 15 minutes without a line of output before its first result". The README's
/// <c>dotnet test</c> prints every result as it finishes (VSTestVerbosity normal for test projects, set in
/// Directory.Build.targets, so no flag is needed) and xunit names a test still running after 30 s (longRunningTestSeconds,
/// with diagnostic messages on, in the runner configuration deployed beside this assembly).</summary>
public sealed class TestCommandProgressTests
{
    static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Certify.Functional.sln"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (Certify.Functional.sln) is not above the test assembly.");
    }

    [Fact]
    public void Test_projects_report_every_result_as_it_finishes()
    {
        var targets = Path.Combine(Root(), "Directory.Build.targets");
        Assert.True(File.Exists(targets), "no Directory.Build.targets");
        var verbosity = XDocument.Load(targets).Descendants("VSTestVerbosity").Select(e => e.Value.Trim()).ToList();
        Assert.Contains(verbosity, v => v is "normal" or "detailed");
    }

    [Fact]
    public void Long_running_tests_are_named_while_they_run()
    {
        var config = Path.Combine(AppContext.BaseDirectory, "xunit.runner.json");
        Assert.True(File.Exists(config), "xunit.runner.json is not deployed beside the test assembly");
        using var json = JsonDocument.Parse(File.ReadAllText(config));
        Assert.True(json.RootElement.TryGetProperty("diagnosticMessages", out var diagnostics) && diagnostics.GetBoolean(), "diagnosticMessages is off: long-running notices are not shown");
        Assert.True(json.RootElement.TryGetProperty("longRunningTestSeconds", out var seconds) && seconds.GetInt32() is > 0 and <= 60,
            "longRunningTestSeconds is not set to a minute or less");
    }
}
