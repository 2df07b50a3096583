using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Certify.Functional.Generators.Tests;

/// <summary>A tiny Verify-style snapshot check: compares text with <c>_snapshots/{name}.verified.cs.txt</c> next to
/// the calling test's source file. Line endings are normalized and the generator version is scrubbed. On a mismatch
/// it writes <c>{name}.received.cs.txt</c> beside it and fails; <c>CF_ACCEPT_SNAPSHOTS=1</c> overwrites instead.</summary>
internal static partial class Snapshot
{
    public static void Verify(string actual, string name, [CallerFilePath] string sourceFile = "")
    {
        string dir = Path.Combine(Path.GetDirectoryName(sourceFile)!, "_snapshots");
        string verified = Path.Combine(dir, name + ".verified.cs.txt");
        string received = Path.Combine(dir, name + ".received.cs.txt");
        string text = Scrub(actual);

        if (Environment.GetEnvironmentVariable("CF_ACCEPT_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(verified, text);
            File.Delete(received);
            return;
        }
        if (File.Exists(verified) && Normalize(File.ReadAllText(verified)) == text)
        {
            File.Delete(received);
            return;
        }
        Directory.CreateDirectory(dir);
        File.WriteAllText(received, text);
        if (!File.Exists(verified))
            Assert.Fail($"No snapshot '{name}'. Review {received}, then rename it to {Path.GetFileName(verified)} or rerun with CF_ACCEPT_SNAPSHOTS=1.");
        Assert.Fail($"Snapshot '{name}' differs {FirstDifference(Normalize(File.ReadAllText(verified)), text)}.\n" +
                    $"Compare: diff {verified} {received}\nAccept: rerun with CF_ACCEPT_SNAPSHOTS=1.");
    }

    public static string Scrub(string text) =>
        VersionPattern().Replace(Normalize(text), "GeneratedCode(\"Certify.Functional.Generators\", \"{version}\")");

    static string Normalize(string text) => text.Replace("\r\n", "\n").TrimStart('\uFEFF');

    static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string el = i < e.Length ? e[i] : "<end of file>", al = i < a.Length ? a[i] : "<end of file>";
            if (el != al) return $"at line {i + 1}:\n  expected: {el}\n  received: {al}";
        }
        return "(only in line endings)";
    }

    [GeneratedRegex("GeneratedCode\\(\"Certify\\.Functional\\.Generators\", \"[^\"]*\"\\)")]
    private static partial Regex VersionPattern();
}
