using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Certify.Functional.Properties.Cluster;

/// <summary>
/// <c>certify paradox --released</c> under <c>mpirun -np 2</c>: the group's units (clean accuracy, the cross-matrix cells,
/// the LP runs, tightness, loss slices and Ŝ) split across the ranks give what one process gives: per_image.csv byte for
/// byte, and results.json equal but for its measured times. On the paper's FC MNIST networks from ../shared, on the first
/// two test images (image 0 is certified by no cell; image 1 by some, so a misplaced cell shows).
/// </summary>
public sealed class ShardedParadoxTests(ITestOutputHelper output)
{
    // results.json without the wall times ("seconds", "elapsedSeconds").
    static string Results(string dir)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "results.json")))!;
        static void Strip(JsonNode? node)
        {
            if (node is JsonObject o)
            {
                foreach (var key in o.Select(p => p.Key).Where(k => k is "seconds" or "elapsedSeconds").ToList()) o.Remove(key);
                foreach (var (_, child) in o) Strip(child);
            }
            else if (node is JsonArray a) foreach (var child in a) Strip(child);
        }
        Strip(json);
        return json.ToJsonString();
    }

    [MpiSharedFact]
    public void Two_ranks_write_the_per_image_csv_and_results_of_one_process()
    {
        string outDir = Directory.CreateTempSubdirectory("paradox-sharded-").FullName;
        try
        {
            string[] Args(string name) => ["paradox", "--released", Path.Combine(SharedFiles.Root!, "reference"), "--only", "mnist-fc", "--limit", "2",
                "--out", Path.Combine(outDir, name)];
            var one = MpiRun.Single(Args("one"));
            output.WriteLine($"1 process: exit {one.Code}\n{one.Err}{one.Out}");
            Assert.Equal(0, one.Code);
            var two = MpiRun.Certify(2, Args("two"));
            output.WriteLine($"2 ranks: exit {two.Code}\n{two.Err}{two.Out}");
            Assert.Equal(0, two.Code);

            var csv = File.ReadAllBytes(Path.Combine(outDir, "one", "mnist-fc", "per_image.csv"));
            Assert.Equal(3, File.ReadAllLines(Path.Combine(outDir, "one", "mnist-fc", "per_image.csv")).Length);
            Assert.Equal(csv, File.ReadAllBytes(Path.Combine(outDir, "two", "mnist-fc", "per_image.csv")));
            Assert.Equal(Results(Path.Combine(outDir, "one")), Results(Path.Combine(outDir, "two")));
            Assert.Contains("\"sensitivity\"", Results(Path.Combine(outDir, "two")));       // the properties were measured (and split) too
            Assert.Contains(one.Out.Split('\n')[0], two.Out);                               // the group's line on stdout
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }
}
