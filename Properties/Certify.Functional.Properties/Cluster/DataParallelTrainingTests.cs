using System.Diagnostics;
using System.Globalization;
using Certify.Functional.Layers;
using LanguageExt;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Interpreter;
using Xunit.Abstractions;

namespace Certify.Functional.Properties.Cluster;

/// <summary>
/// <c>certify train</c> under <c>mpirun -np 2</c> (docs/cluster.md): the same weights as one process within the rounding of
/// the gradient sums, a checkpoint that resumes under another number of ranks, a rank killed mid-run.
/// <para>Tolerance. Each rank sums its shard's gradient, then the two sums are added: the same terms as one process's
/// batch gradient in another order, so each gradient entry differs by a few float32 roundings of the terms' magnitude
/// (relative ~1e-7·√B). With SGD a step moves a weight by lr·g, so after k steps the weights differ by ≲ k·lr·|Δg|, far
/// below 1e-6 here (lr 0.01, gradients ≲ 10, 8 steps: 8·0.01·10·1e-6 = 8e-7). Adam divides by √v and can turn a
/// rounding difference of a near-zero gradient into an update of up to ~lr, so it is not used for the equality check.</para>
/// </summary>
public class DataParallelTrainingTests(ITestOutputHelper log) : TorchTest
{
    const double Tolerance = 1e-6;

    static readonly string[] Common =
    [
        "train", "--net", "FC-SMALL", "--mode", "certified", "--domain", "crown-ibp", "--eps", "0.05", "--kappa-start", "0.5", "--kappa-end", "0.5",
        "--optimizer", "sgd", "--lr", "0.01", "--lr-schedule", "constant", "--batch-size", "75", "--train-limit", "300", "--test-limit", "200",
        "--pgd-steps", "0", "--verify-domains", "box", "--quiet",
    ];

    [MpiFact]
    public void Two_ranks_train_the_weights_of_one_process_within_the_rounding_of_the_gradient_sums_and_resume_under_one()
    {
        var dir = TempDir();
        try
        {
            string one = Path.Combine(dir, "one"), two = Path.Combine(dir, "two"), resumed = Path.Combine(dir, "resumed");
            var single = MpiRun.Single([.. Common, "--epochs", "2", "--out", one]);
            Assert.True(single.Code == 0, single.Err);
            var parallel = MpiRun.Certify(2, [.. Common, "--epochs", "2", "--out", two]);
            Assert.True(parallel.Code == 0, parallel.Err + parallel.Out);

            // 300 images in batches of 75 (shards of 37 and 38): 8 steps.
            double worst = MaxDifference(one, Path.Combine(one, "model.pt"), Path.Combine(two, "model.pt"));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"1 vs 2 ranks, 8 SGD steps: max |Δw| = {worst:G3}"));
            Assert.InRange(worst, 0, Tolerance);
            Assert.Equal(File.ReadAllLines(Path.Combine(one, "per_image.csv")), File.ReadAllLines(Path.Combine(two, "per_image.csv")));

            // The 2-rank run's epoch-1 checkpoint, finished by one process: the 2-rank run's final weights, within rounding.
            var fromTwo = MpiRun.Single(["train", "--resume", Path.Combine(two, "checkpoints", "last.prev.ckpt"), "--out", resumed, "--quiet"]);
            Assert.True(fromTwo.Code == 0, fromTwo.Err);
            double resumedWorst = MaxDifference(one, Path.Combine(two, "model.pt"), Path.Combine(resumed, "model.pt"));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"2 ranks vs resumed at epoch 1 under 1: max |Δw| = {resumedWorst:G3}"));
            Assert.InRange(resumedWorst, 0, Tolerance);
        }
        finally { Directory.Delete(dir, true); }
    }

    [MpiFact]
    public void Loss_smoothing_under_two_ranks_is_one_clear_line_not_a_hang()
    {
        var dir = TempDir();
        try
        {
            var (code, _, err) = MpiRun.Certify(2, ["train", "--mode", "natural", "--epochs", "1", "--train-limit", "100", "--test-limit", "10",
                "--pgd-steps", "0", "--smoothing", "rgs", "--out", dir, "--quiet"], timeoutSeconds: 120);
            Assert.NotEqual(0, code);
            Assert.Contains("error CF2051: loss smoothing (--smoothing rgs) does not train data-parallel yet", err);
        }
        finally { Directory.Delete(dir, true); }
    }

    [MpiFact]
    public void A_rank_killed_mid_run_ends_the_job_and_the_last_checkpoint_resumes()
    {
        var dir = TempDir();
        try
        {
            var run = Path.Combine(dir, "run");
            string[] args = ["train", "--net", "FC-SMALL", "--mode", "certified", "--domain", "deeppoly", "--eps", "0.05", "--epochs", "2",
                "--batch-size", "50", "--train-limit", "1000", "--test-limit", "100", "--checkpoint-every", "2", "--pgd-steps", "0", "--out", run];
            using var job = Captured.Start(MpiRun.Command(2, args));
            var mpirun = job.Process;
            var checkpoint = Path.Combine(run, "checkpoints", "last.ckpt");
            var clock = Stopwatch.StartNew();
            while (!File.Exists(checkpoint) && !mpirun.HasExited && clock.Elapsed.TotalSeconds < 120) Thread.Sleep(50);
            Assert.False(mpirun.HasExited, $"the run ended before a rank was killed: {job.Err}");
            int victim = MpiRun.RankProcess(mpirun.Id, 1);
            using (var kill = Process.Start("kill", ["-9", victim.ToString(CultureInfo.InvariantCulture)])) kill.WaitForExit();
            Assert.True(mpirun.WaitForExit(120_000), "the job did not end after a rank was killed");
            mpirun.WaitForExit();
            Assert.NotEqual(0, mpirun.ExitCode);
            string err = job.Err;
            log.WriteLine(err);
            Assert.Contains("exited on signal 9", err);                       // mpirun names the rank that died

            // The checkpoint rank 0 wrote is whole: one process continues the run to its end.
            var (code, _, resumeErr) = MpiRun.Single(["train", "--resume", run, "--quiet"]);
            Assert.True(code == 0, resumeErr);
            Assert.True(File.Exists(Path.Combine(run, "model.pt")));
        }
        finally { Directory.Delete(dir, true); }
    }

    // The largest |difference| between the parameters of two state dicts of the run's architecture.
    static double MaxDifference(string runFolder, string a, string b)
    {
        var description = NetworkJson.Load(Path.Combine(runFolder, "architecture.json")).Match(d => d, e => throw new Xunit.Sdk.XunitException(string.Join("; ", e.Select(x => x.Message))));
        using var first = new InterpretedNetwork(description);
        using var second = new InterpretedNetwork(description);
        StateDict.Load(first, a).Match(_ => 0, e => throw new Xunit.Sdk.XunitException(e.Message));
        StateDict.Load(second, b).Match(_ => 0, e => throw new Xunit.Sdk.XunitException(e.Message));
        var other = second.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        return first.named_parameters().Max(p => p.parameter.sub(other[p.name]).abs().max().item<float>());
    }
}
