using System.Globalization;
using System.Text.RegularExpressions;

namespace Certify.Functional.Properties.Cluster;

/// <summary><c>certify attack</c> under <c>mpirun -np 2</c> (issue 17): the batches are dealt to the ranks, each attacked
/// with a random stream of its own, and rank 0 writes the files one process writes.</summary>
public sealed class ShardedAttackTests(TinyModel tiny) : TorchTest, IClassFixture<TinyModel>
{
    [MpiFact]
    public void Two_ranks_write_the_files_of_one_process()
    {
        // 170 images in batches of 20: 9 batches, the last one short and alone in its round. Two long steps from the random
        // start: which images break depends on each batch's random stream (one drawn for another batch's changes the file).
        string[] Args(string outDir) => ["attack", "--net", "FC-SMALL", "--model", tiny.Model, "--eps", "0.2", "--steps", "2", "--step-size", "0.05",
            "--limit", "170", "--batch-size", "20", "--seed", "3", "--out", outDir, "--quiet"];
        string one = Path.Combine(tiny.Dir, "attack-one"), two = Path.Combine(tiny.Dir, "attack-two");
        var (code, output, err) = MpiRun.Single(Args(one));
        Assert.True(code == 0, err);
        int Count(string text, string prefix) => int.Parse(text.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..].Split('/')[0], CultureInfo.InvariantCulture);
        Assert.True(Count(output, "pgd: ") < Count(output, "clean: "), $"the attack breaks some images (the comparison means something): {output}");
        (code, output, err) = MpiRun.Certify(2, Args(two));
        Assert.True(code == 0, err);
        SameFiles.Assert(one, two, "per_image.csv");
        Assert.Single(Regex.Matches(output, "^results: ", RegexOptions.Multiline));
    }
}
