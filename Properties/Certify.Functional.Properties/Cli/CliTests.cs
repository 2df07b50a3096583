using Certify.Cli;
using Certify.Functional.Properties.Data;

namespace Certify.Functional.Properties.Cli;

/// <summary>The command line in-process: bad input ends with readable lines and exit code 2, never a stack trace.</summary>
public class CliTests : TorchTest
{
    /// <summary>Runs the CLI in-process: (exit code, stdout, stderr).</summary>
    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CliApp.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Unknown_network_and_negative_warmup_are_reported_together()
    {
        var (code, _, err) = Run("train", "--net", "NOPE", "--warmup", "-1", "--batch-size", "0", "--quiet");
        Assert.Equal(CliApp.BadInput, code);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.StartsWith("error CF1003: Unknown network 'NOPE'"));
        Assert.Contains(lines, l => l.Contains("--warmup must be ≥ 0 epochs"));
        Assert.Contains(lines, l => l.Contains("Batch size (--batch-size) must be > 0"));
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void Missing_model_file_is_one_readable_line()
    {
        var (code, _, err) = Run("eval", "--net", "FC", "--model", "/nonexistent/x.pt", "--quiet");
        Assert.Equal(CliApp.BadInput, code);
        Assert.Equal("error CF2001: Checkpoint '/nonexistent/x.pt' does not exist. Expected a PyTorch state_dict file (torch.save(model.state_dict(), path)).", err.Trim());
    }

    [Fact]
    public void Data_dir_without_idx_files_is_a_readable_error()
    {
        var dir = TempDir();
        try
        {
            var (code, _, err) = Run("train", "--data-dir", dir, "--epochs", "1", "--quiet", "--out", Path.Combine(dir, "out"));
            Assert.Equal(CliApp.BadInput, code);
            Assert.StartsWith("error CF200", err.Trim());
            Assert.Contains(dir, err);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Info_lists_layers_shapes_and_parameters()
    {
        var (code, output, _) = Run("info", "--net", "FC-SMALL");
        Assert.Equal(0, code);
        Assert.Contains("89,610 parameters", output);
        Assert.Contains("Dense 784→100", output);
        Assert.Contains("memory of one training step at batch 100 (estimate, float32): box ", output);
        Assert.Contains("deeppoly ", output);
    }

    [SharedFact]
    public void Eval_of_the_papers_mnist_FC_box_gives_the_reference_count()
    {
        var dir = TempDir();
        try
        {
            var (code, output, err) = Run("eval", "--net", "FC", "--model", SharedFiles.Pretrained("mnist_FC_box"), "--out", dir, "--quiet");
            Assert.True(code == 0, err);
            Assert.StartsWith("clean: 1779/2000 ", output);
            Assert.Equal(2001, File.ReadAllLines(Path.Combine(dir, "predictions.csv")).Length);
            Assert.Contains("\"correct\": 1779", File.ReadAllText(Path.Combine(dir, "results.json")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [SharedFact(FashionMnist = true)]
    public void Eval_of_the_papers_fashion_FC_box_gives_the_reference_count()
    {
        var dir = TempDir();
        try
        {
            var (code, output, err) = Run("eval", "--net", "FC", "--dataset", "fashion-mnist", "--model", SharedFiles.Pretrained("fashionmnist_FC_box"), "--out", dir);
            Assert.True(code == 0, err);
            Assert.StartsWith("clean: 5107/10000 ", output);
            Assert.Contains("normalization set to the fashion-mnist constants", err);
        }
        finally { Directory.Delete(dir, true); }
    }

    [SharedFact]
    public void Verify_of_mnist_FC_box_prints_the_certified_count_and_writes_the_files()
    {
        var dir = TempDir();
        try
        {
            var (code, output, err) = Run("verify", "--net", "FC", "--model", SharedFiles.Pretrained("mnist_FC_box"), "--eps", "0.3",
                "--domains", "box", "--limit", "100", "--out", dir, "--quiet");
            Assert.True(code == 0, err);
            var box = output.Split('\n').Single(l => l.StartsWith("box: certified "));
            int certified = int.Parse(box["box: certified ".Length..box.IndexOf('/')]);
            var table = File.ReadLines(Asset("Reference/results/per_image_mnist_eps0.3.csv")).ToList();
            int column = Array.IndexOf(table[0].Split(','), "mnist_FC_box__box");
            var reference = table.Skip(1).Take(100).Count(l => l.Split(',')[column] == "1");
            Assert.Equal(reference, certified);
            Assert.StartsWith($"box: certified {certified}/100 (", box);

            var perImage = File.ReadAllLines(Path.Combine(dir, "per_image.csv"));
            Assert.Equal("img,label,pred__mnist_FC_box,mnist_FC_box__box", perImage[0]);
            Assert.Equal(101, perImage.Length);
            Assert.Equal(certified, perImage.Skip(1).Count(l => l.EndsWith(",1")));
            var bounds = File.ReadAllLines(Path.Combine(dir, "lower_bounds.csv"));
            Assert.Equal("img,label,model,domain,lb0,lb1,lb2,lb3,lb4,lb5,lb6,lb7,lb8", bounds[0]);
            Assert.Equal(101, bounds.Length);
            Assert.StartsWith("0,3,mnist_FC_box,box,", bounds[1]);
            var json = File.ReadAllText(Path.Combine(dir, "results.json"));
            Assert.Contains($"\"certified\": {certified}", json);
            Assert.Contains("\"eps\": 0.3", json);
            Assert.Contains($"| box | {certified}/100 |", File.ReadAllText(Path.Combine(dir, "summary.md")));
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [SharedFact]
    public void Verify_runs_the_back_substitution_domains_and_matches_the_reference_deeppoly_count()
    {
        var dir = TempDir();
        try
        {
            var (code, output, err) = Run("verify", "--net", "FC", "--model", SharedFiles.Pretrained("mnist_FC_crown"), "--eps", "0.3",
                "--domains", "deeppoly,crown-ibp,deeppoly:0-c", "--limit", "20", "--out", dir, "--quiet");
            Assert.True(code == 0, err);
            var lines = output.Split('\n');
            var deeppoly = lines.Single(l => l.StartsWith("deeppoly: certified "));
            int certified = int.Parse(deeppoly["deeppoly: certified ".Length..deeppoly.IndexOf('/')]);
            var table = File.ReadLines(Asset("Reference/results/per_image_mnist_eps0.3.csv")).ToList();
            int column = Array.IndexOf(table[0].Split(','), "mnist_FC_crown__deeppoly");
            Assert.Equal(table.Skip(1).Take(20).Count(l => l.Split(',')[column] == "1"), certified);
            Assert.StartsWith($"deeppoly: certified {certified}/20 (", deeppoly);
            Assert.Single(lines, l => l.StartsWith("crown-ibp: certified "));
            Assert.Single(lines, l => l.StartsWith("deeppoly:0-c: certified "));
            Assert.Equal("img,label,pred__mnist_FC_crown,mnist_FC_crown__deeppoly,mnist_FC_crown__crown-ibp,mnist_FC_crown__deeppoly:0-c",
                File.ReadLines(Path.Combine(dir, "per_image.csv")).First());
        }
        finally { Directory.Delete(dir, true); }
    }

    // verify with bab: the counts line, the per-image table with its column, bab.csv with one row per image; and no image for
    // which branch and bound (or its PGD) found a counterexample is certified by alpha-crown (a sound domain cannot certify it).
    [SharedFact]
    public void Verify_with_bab_writes_its_per_image_table_and_no_sound_domain_certifies_its_counterexamples()
    {
        var dir = TempDir();
        try
        {
            var (code, output, err) = Run("verify", "--net", "FC", "--model", SharedFiles.Pretrained("mnist_FC_crown"), "--eps", "0.3",
                "--domains", "alpha-crown,bab:time=30,subproblems=200", "--limit", "12", "--out", dir);
            Assert.True(code == 0, err);
            Assert.Single(output.Split('\n'), l => l.StartsWith("bab:time=30,subproblems=200: certified "));
            var perImage = File.ReadAllLines(Path.Combine(dir, "per_image.csv"));
            Assert.Equal("img,label,pred__mnist_FC_crown,mnist_FC_crown__alpha-crown,\"mnist_FC_crown__bab:time=30,subproblems=200\"", perImage[0]);   // quoted: it holds a comma
            var bab = File.ReadAllLines(Path.Combine(dir, "bab.csv"));
            Assert.Equal("domain,image,result,method,subproblems,seconds", bab[0]);
            Assert.Equal(13, bab.Length);
            foreach (var line in bab.Skip(1).Select(l => l.Split(',')))
            {
                int image = int.Parse(line[^5]);
                var row = perImage[1 + image].Split(',');
                if (line[^4] == "counterexample") Assert.Equal("0", row[^2]);       // alpha-crown
                Assert.Equal(line[^4] == "certified" ? "1" : "0", row[^1]);
            }
            Assert.Contains("subproblems", err);

            // --force starts the run again: bab.csv holds this run's rows only, not the old ones and the new appended.
            (code, _, err) = Run("verify", "--net", "FC", "--model", SharedFiles.Pretrained("mnist_FC_crown"), "--eps", "0.3",
                "--domains", "bab:time=30,subproblems=200", "--limit", "3", "--out", dir, "--force");
            Assert.True(code == 0, err);
            bab = File.ReadAllLines(Path.Combine(dir, "bab.csv"));
            Assert.Equal(4, bab.Length);
            Assert.Equal(["0", "1", "2"], bab.Skip(1).Select(l => l.Split(',')[^5]));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("nope", "error CF1003: Unknown domain 'nope'.")]
    [InlineData("box,zdiag-c-unsound", "error CF1003: Domain 'zdiag-c-unsound' is the reference's unsound zdiag-c transformer")]
    [InlineData("deeppoly:lower-tria-c-unrounded", "error CF1003: Domain 'deeppoly:lower-tria-c-unrounded' keeps the reference's float32 bounds")]
    public void Verify_rejects_unknown_and_unsound_domains_in_one_line(string domains, string start)
    {
        var dir = TempDir();
        try
        {
            var (code, output, err) = Run("verify", "--model", SharedFiles.Pretrained("mnist_FC_box"), "--domains", domains, "--out", dir);
            Assert.Equal(CliApp.BadInput, code);
            var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith(start, line);
            Assert.Equal("", output);
            Assert.Empty(Directory.GetFileSystemEntries(dir));
        }
        finally { Directory.Delete(dir, true); }
    }

    [SharedFact]
    public void Attack_reports_pgd_accuracy_no_higher_than_clean_and_no_lower_than_certified()
    {
        var dir = TempDir();
        try
        {
            var model = SharedFiles.Pretrained("mnist_FC_box");
            var (code, output, err) = Run("attack", "--net", "FC", "--model", model, "--eps", "0.3", "--steps", "20", "--limit", "100", "--out", dir, "--quiet");
            Assert.True(code == 0, err);
            int Count(string prefix) => int.Parse(output.Split('\n').First(l => l.StartsWith(prefix)).Split(' ')[1].Split('/')[0]);
            int clean = Count("clean:"), pgd = Count("pgd:");
            var (vcode, voutput, verr) = Run("verify", "--net", "FC", "--model", model, "--eps", "0.3", "--domains", "box", "--limit", "100", "--out", Path.Combine(dir, "v"), "--quiet");
            Assert.True(vcode == 0, verr);
            int certified = int.Parse(voutput.Split('\n').First(l => l.StartsWith("box:")).Split(' ')[2].Split('/')[0]);
            Assert.InRange(pgd, certified, clean);
            Assert.True(pgd < clean, "at ε 0.3 PGD breaks some images of a Box-trained FC");
            Assert.Equal(101, File.ReadAllLines(Path.Combine(dir, "per_image.csv")).Length);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Attack_rejects_bad_numbers_each_on_one_line()
    {
        var (code, _, err) = Run("attack", "--model", "x.pt", "--steps", "-1", "--restarts", "0");
        Assert.Equal(CliApp.BadInput, code);
        Assert.Equal(2, err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("--steps must be", err);
        Assert.Contains("--restarts must be", err);
    }
}
