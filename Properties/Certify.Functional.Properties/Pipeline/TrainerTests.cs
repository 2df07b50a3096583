using System.Globalization;
using Certify.Cli;
using Certify.Functional.Data;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Training;
using Certify.Functional.Samples;
using TorchSharp;

namespace Certify.Functional.Properties.Pipeline;

/// <summary>The certified-training loop: resumption is bit-identical, memory is flat, NaN stops with a message, and the
/// generated and interpreted trainers agree.</summary>
public class TrainerTests : TorchTest
{
    static readonly Dataset Train = DatasetCatalog.Load("mnist", null, Split.Train).Match(d => d, e => throw new Xunit.Sdk.XunitException(e.Message)).Take(300);
    static readonly Dataset Test = DatasetCatalog.Load("mnist", null, Split.Test).Match(d => d, e => throw new Xunit.Sdk.XunitException(e.Message));
    static readonly CatalogEntry FcSmall = NetworkCatalog.Find("FC-SMALL", Shape.Of(1, 28, 28)).Match(e => e, e => throw new Xunit.Sdk.XunitException(e.Message));

    // 300 images, batch 25 → 12 steps per epoch, 2 epochs: warm-up half an epoch, ramps over one.
    static TrainConfig Config(string dir, string mode, string domain) => TrainConfig.Default with
    {
        Net = "FC-SMALL", Mode = mode, Domain = domain, Eps = 0.1, Epochs = 2, BatchSize = 25, WarmupEpochs = 0.5, MixEpochs = 1,
        Kappa2 = 0.2, Beta1 = 1, Beta2 = 0, LearningRate = 1e-3, LrSchedule = "milestones", LrMilestones = [0.75], Regularization = 1e-5,
        TestLimit = 50, PgdSteps = 3, Seed = 3, OutDir = dir,
    };

    static Dictionary<string, torch.Tensor> Weights(string path)
    {
        var net = FcSmall.Create();
        Assert.True(StateDict.Load(net, path).IsSucc, $"cannot load {path}");
        return net.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
    }

    sealed class Crash(int atStep) : IProgress<TrainProgress>
    {
        int steps;
        public void Report(TrainProgress value)
        {
            if (value.Phase == TrainPhase.Train && ++steps == atStep) throw new InvalidOperationException("simulated kill");
        }
    }

    // Loss smoothing draws its weight noise from a generator seeded by (seed, step); σ decays with the step count.
    static TrainConfig Smoothed(TrainConfig c, string smoothing) => smoothing == "none" ? c : c with
    {
        Smoothing = smoothing, SmoothingSigma = 0.01, SmoothingSamples = 2, SmoothingSigmaEnd = smoothing == "pgpe" ? 0.002 : null,
    };

    [Theory]
    [InlineData("certified", "crown-ibp", 7, "none")]      // mid-epoch, after the checkpoint of step 6, inside the ramp (β mixing)
    [InlineData("certified", "box", 17, "none")]           // second epoch
    [InlineData("pgd", "box", 5, "none")]                  // PGD noise is a function of (seed, step)
    [InlineData("certified", "deeppoly", 8, "rgs")]        // smoothing noise is a function of (seed, step)
    [InlineData("certified", "box", 14, "pgpe")]           // second epoch, decaying σ
    public void A_run_killed_mid_epoch_and_resumed_ends_bit_identical(string mode, string domain, int killAt, string smoothing)
    {
        var dir = TempDir();
        try
        {
            var whole = Smoothed(Config(Path.Combine(dir, "whole"), mode, domain), smoothing) with { CheckpointEvery = 3 };
            var wholeRun = FcSmall.Trainer(whole).Run(Train, Test);
            Assert.True(wholeRun.IsSucc, wholeRun.Match(_ => "", e => e.Message));

            var killed = whole with { OutDir = Path.Combine(dir, "killed") };
            Assert.Throws<InvalidOperationException>(() => FcSmall.Trainer(killed).Run(Train, Test, new TrainRun(new Crash(killAt))));
            var last = Path.Combine(killed.OutDir, "checkpoints", "last.ckpt");
            var header = Checkpoint.ReadHeader(last).Match(h => h, e => throw new Xunit.Sdk.XunitException(e.Message));
            Assert.Equal(killAt - 1 - (killAt - 1) % 3, header.State.Step);          // the last periodic checkpoint before the kill

            var resumed = FcSmall.Trainer(TrainConfig.Default).Run(Train, Test, new TrainRun(ResumeFrom: last));
            Assert.True(resumed.IsSucc, resumed.Match(_ => "", e => e.Message));

            var a = Weights(Path.Combine(whole.OutDir, "model.pt"));
            var b = Weights(Path.Combine(killed.OutDir, "model.pt"));
            foreach (var (name, w) in a) Assert.True(Same(w, b[name]), $"{name} differs after resume ({mode}, {domain}, {smoothing}, killed at step {killAt})");
            if (smoothing != "none")
                Assert.Equal(File.ReadAllText(Path.Combine(whole.OutDir, "results.json")).Split('\n').Where(l => l.Contains("\"sigma\"")),
                    File.ReadAllText(Path.Combine(killed.OutDir, "results.json")).Split('\n').Where(l => l.Contains("\"sigma\"")));
            Assert.Equal(File.ReadAllText(Path.Combine(whole.OutDir, "per_image.csv")), File.ReadAllText(Path.Combine(killed.OutDir, "per_image.csv")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Fine_tuning_starts_from_the_given_weights_and_a_missing_file_is_a_clear_error()
    {
        var dir = TempDir();
        try
        {
            var first = Config(Path.Combine(dir, "first"), "certified", "box") with { Epochs = 1 };
            var start = FcSmall.Trainer(first).Run(Train, Test).Match(o => o, e => throw new Xunit.Sdk.XunitException(e.Message));
            var expected = Weights(start.FinalModel);
            Dictionary<string, torch.Tensor>? seen = null;
            var tuned = first with { OutDir = Path.Combine(dir, "tuned"), Seed = 11, InitFrom = start.FinalModel };
            var run = FcSmall.Trainer(tuned).Run(Train, Test, new TrainRun(Prepare: net => seen = net.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone())));
            Assert.True(run.IsSucc, run.Match(_ => "", e => e.Message));
            Assert.NotNull(seen);
            foreach (var (name, w) in expected) Assert.True(w.equal(seen![name]).all().item<bool>(), $"{name}: not the starting weights");
            Assert.Contains("fine-tuning", File.ReadAllText(Path.Combine(tuned.OutDir, "summary.md")));

            var missing = FcSmall.Trainer(tuned with { OutDir = Path.Combine(dir, "missing"), InitFrom = Path.Combine(dir, "nope.pt") }).Run(Train, Test);
            Assert.Contains("--init-from", missing.Match(_ => "", e => e.Message));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Cancellation_saves_a_checkpoint_that_resumes_bit_identical()
    {
        var dir = TempDir();
        try
        {
            var config = Config(Path.Combine(dir, "a"), "certified", "box");
            Assert.True(FcSmall.Trainer(config).Run(Train, Test).IsSucc);
            var other = config with { OutDir = Path.Combine(dir, "b") };
            using var cancel = new CancellationTokenSource();
            int steps = 0;
            var progress = new Progress(p => { if (p.Phase == TrainPhase.Train && ++steps == 9) cancel.Cancel(); });
            var stopped = FcSmall.Trainer(other).Run(Train, Test, new TrainRun(progress, cancel.Token)).Match(o => o, e => throw new Xunit.Sdk.XunitException(e.Message));
            Assert.Equal(RunStatus.Interrupted, stopped.Status);
            var resumed = FcSmall.Trainer(TrainConfig.Default).Run(Train, Test, new TrainRun(ResumeFrom: Path.Combine(other.OutDir, "checkpoints", "last.ckpt")));
            Assert.True(resumed.IsSucc);
            var a = Weights(Path.Combine(config.OutDir, "model.pt"));
            var b = Weights(Path.Combine(other.OutDir, "model.pt"));
            foreach (var (name, w) in a) Assert.True(Same(w, b[name]), $"{name} differs after a cancelled and resumed run");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Generated_and_interpreted_trainers_train_the_same_weights()
    {
        var dir = TempDir();
        try
        {
            var config = Config(Path.Combine(dir, "g"), "certified", "deeppoly") with { Epochs = 1, WarmupEpochs = 0, MixEpochs = 0.5 };
            Assert.True(FcSmall.Trainer(config).Run(Train, Test).IsSucc);
            var interpreted = config with { OutDir = Path.Combine(dir, "i") };
            Assert.True(NetworkTrainer.Interpreted(interpreted, FcSmall.Create).Run(Train, Test).IsSucc);
            var a = Weights(Path.Combine(config.OutDir, "model.pt"));
            var b = Weights(Path.Combine(interpreted.OutDir, "model.pt"));
            foreach (var (name, w) in a)
                Assert.True(w.allclose(b[name], rtol: 1e-4, atol: 1e-6), $"{name}: generated and interpreted training diverge");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_non_finite_loss_stops_with_step_eps_kappa_and_the_last_checkpoint()
    {
        var dir = TempDir();
        try
        {
            // A huge learning rate makes the weights overflow within a few steps.
            var config = Config(dir, "certified", "box") with { LearningRate = 1e30, Optimizer = "sgd", LrSchedule = "constant", CheckpointEvery = 1 };
            var result = FcSmall.Trainer(config).Run(Train, Test);
            var message = result.Match(_ => throw new Xunit.Sdk.XunitException("expected a NaN stop"), e => e.Message);
            Assert.Contains("at step", message);
            Assert.Contains("ε", message);
            Assert.Contains("κ", message);
            Assert.Contains("last.ckpt", message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("box", "none")]
    [InlineData("hbox", "none")]
    [InlineData("zono", "none")]
    [InlineData("deeppoly", "none")]
    [InlineData("crown-ibp", "none")]
    [InlineData("deeppoly", "rgs")]
    [InlineData("box", "pgpe")]
    // The reference kept every batch's graph alive (reference.md §10 item 16); here every step has its own dispose scope.
    public void Live_tensors_stay_flat_over_an_epoch_of_the_training_loop(string domain, string smoothing)
    {
        var dir = TempDir();
        try
        {
            var live = new List<long>();
            var progress = new Progress(p => { if (p.Phase == TrainPhase.Train) live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount); });
            var config = Smoothed(Config(dir, "certified", domain), smoothing) with { Epochs = 1, WarmupEpochs = 0, MixEpochs = 0.5, PgdSteps = 0, TestLimit = 10 };
            Assert.True(FcSmall.Trainer(config).Run(Train.Take(200), Test, new TrainRun(progress)).IsSucc);
            // Step 1 creates the optimizer's state; from then on the count must stay put.
            Assert.True(live.Skip(1).Distinct().Count() == 1, $"live tensors per step ({domain}, {smoothing}): {string.Join(", ", live)}");
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>Smoothing changes only how the weights are trained, never what a certificate means: the run's final
    /// certification (per_image.csv) flags exactly the images that certifying its saved model.pt with the plain domain
    /// flags.</summary>
    [Theory]
    [InlineData("deeppoly", "rgs")]
    [InlineData("box", "pgpe")]
    public void A_smoothing_trained_network_is_certified_by_the_plain_relaxation(string domain, string smoothing)
    {
        var dir = TempDir();
        try
        {
            const int images = 60;
            var config = Smoothed(Config(dir, "certified", domain), smoothing) with
            {
                Eps = 0.005, Epochs = 3, WarmupEpochs = 1, MixEpochs = 1, Kappa2 = 0.5, LearningRate = 5e-3, LrSchedule = "constant",
                EpsTest = 1e-4, PgdSteps = 0, TestLimit = images, SmoothingSigma = 0.002,
            };
            var outcome = FcSmall.Trainer(config).Run(Train, Test).Match(o => o, e => throw new Xunit.Sdk.XunitException(e.Message));
            var rows = File.ReadAllLines(Path.Combine(dir, "per_image.csv"));
            Assert.Equal($"img,label,pred,pgd,{domain}", rows[0]);
            var fromRun = rows.Skip(1).Select(r => r.Split(',')[4] == "1").ToArray();

            using var net = FcSmall.Create();
            Assert.True(StateDict.Load(net, outcome.FinalModel).IsSucc);
            using var scope = torch.NewDisposeScope();
            var (x, y) = Test.Batch(Enumerable.Range(0, images).ToArray());
            var plain = Certify.Functional.Verification.Domains.Domain.Parse(domain).Match(d => d, e => throw new Xunit.Sdk.XunitException(e.Message));
            var fromModel = Certify.Functional.Verification.Verifier.Certify(net, x, y, config.TestEps, plain).data<bool>().ToArray();
            Assert.Equal(fromModel, fromRun);
            Assert.True(fromRun.Any(f => f) && fromRun.Any(f => !f), $"want both outcomes among the images, got {fromRun.Count(f => f)}/{images} certified ({outcome.Evaluation!.Clean} clean, {smoothing})");
            Assert.True(fromRun.Count(f => f) == outcome.Evaluation!.Certified.Single().Certified, "summary and per-image flags disagree");
        }
        finally { Directory.Delete(dir, true); }
    }

    sealed class Progress(Action<TrainProgress> report) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => report(value);
    }
}
