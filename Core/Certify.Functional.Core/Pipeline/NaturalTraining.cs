using System.Diagnostics;
using Certify.Functional.Data;
using Certify.Functional.Errors;
using Certify.Functional.Networks;
using LanguageExt;
using LanguageExt.Common;
using TorchSharp;
using static LanguageExt.Prelude;
using static TorchSharp.torch;

namespace Certify.Functional.Pipeline;

/// <summary>How a training run ended.</summary>
/// <param name="Config">The validated configuration.</param>
/// <param name="Epochs">Statistics of every completed epoch.</param>
/// <param name="Status">"completed" or "interrupted".</param>
/// <param name="FinalModel">Path of the final weights (PyTorch state_dict).</param>
public sealed record TrainOutcome(TrainConfig Config, IReadOnlyList<EpochStats> Epochs, string Status, string FinalModel);

/// <summary>
/// The training shell for natural (clean cross-entropy) training: data order → batches → loss → step → evaluation
/// → checkpoint. One dispose scope per step; only scalars leave a step. A checkpoint and the results so far are
/// written atomically at the end of every epoch, and on cancellation (Ctrl-C) after the current step.
/// </summary>
public static class NaturalTraining
{
    /// <summary>Trains <paramref name="network"/> in place. The caller seeds torch before creating the network.</summary>
    public static Fin<TrainOutcome> Run(TrainConfig config, NetworkModule network, Dataset train, Dataset test,
        IProgress<TrainProgress>? progress = null, CancellationToken cancel = default)
    {
        var device = Devices.Parse(config.Device);
        network.to(device);
        using var optimizer = optim.Adam(network.parameters(), lr: config.LearningRate);
        var epochs = new List<EpochStats>();
        int batches = (train.Count + config.BatchSize - 1) / config.BatchSize;
        var runClock = Stopwatch.StartNew();
        long step = 0;
        string lastCheckpoint = "(none yet)";
        string status = "completed";

        for (int epoch = 1; epoch <= config.Epochs && status == "completed"; epoch++)
        {
            network.train();
            var order = Shuffle.Permutation(train.Count, unchecked((ulong)config.Seed), epoch - 1);
            double lossSum = 0;
            long correct = 0, seen = 0;
            var clock = Stopwatch.StartNew();
            int b = 0;
            foreach (var batch in Shuffle.Batches(order, config.BatchSize))
            {
                if (cancel.IsCancellationRequested) { status = "interrupted"; break; }
                b++;
                optimizer.ParamGroups.First().LearningRate =
                    config.LearningRate * LrSchedule.Factor(config.LrSchedule, step, (long)batches * config.Epochs);
                step++;
                using (var scope = NewDisposeScope())
                {
                    var (x, y) = train.Batch(batch, device);
                    var logits = network.forward(x);
                    var loss = nn.functional.cross_entropy(logits, y);
                    optimizer.zero_grad();
                    loss.backward();
                    optimizer.step();
                    double l = loss.item<float>();
                    if (!double.IsFinite(l))
                        return FinFail<TrainOutcome>(Error.New(ErrorCodes.NonFinite,
                            $"Training loss became {l} at step {step} (epoch {epoch}, batch {b}, ε {config.Eps}, κ 1). " +
                            $"Last good checkpoint: {lastCheckpoint}. Lower the learning rate or check the data."));
                    lossSum += l * batch.Length;
                    correct += logits.argmax(1).eq(y).sum().item<long>();
                    seen += batch.Length;
                }
                double ips = seen / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                long remaining = (long)(config.Epochs - epoch) * train.Count + (train.Count - seen);
                progress?.Report(new TrainProgress(epoch, config.Epochs, b, batches, lossSum / seen, (double)correct / seen,
                    ips, TimeSpan.FromSeconds(remaining / Math.Max(ips, 1e-9)), "train"));
            }
            clock.Stop();
            if (seen == 0) break;

            double epochIps = seen / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            var eta = TimeSpan.FromSeconds((config.Epochs - epoch) * (double)train.Count / Math.Max(epochIps, 1e-9));
            progress?.Report(new TrainProgress(epoch, config.Epochs, b, batches, lossSum / seen, (double)correct / seen, epochIps, eta, "eval"));
            var eval = Evaluation.Clean(network, test, 1000, device, config.TestLimit);
            progress?.Report(new TrainProgress(epoch, config.Epochs, b, batches, lossSum / seen, (double)correct / seen, epochIps, eta, "epoch", eval.Accuracy));
            var checkpoint = Path.Combine(config.OutDir, "checkpoints", status == "completed" ? $"epoch-{epoch}.pt" : $"epoch-{epoch}-interrupted.pt");
            var saved = StateDict.Save(network, checkpoint);
            if (saved.IsFail) return saved.Map(_ => default(TrainOutcome)!);
            lastCheckpoint = checkpoint;
            epochs.Add(new EpochStats(epoch, lossSum / seen, (double)correct / seen, eval.Correct, eval.Total,
                clock.Elapsed.TotalSeconds, seen / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), checkpoint));
            RunReport.Write(new TrainOutcome(config, epochs, status == "completed" && epoch < config.Epochs ? "running" : status, checkpoint),
                runClock.Elapsed);
        }

        var final = Path.Combine(config.OutDir, "model.pt");
        var finalSaved = StateDict.Save(network, final);
        if (finalSaved.IsFail) return finalSaved.Map(_ => default(TrainOutcome)!);
        var outcome = new TrainOutcome(config, epochs, status, final);
        RunReport.Write(outcome, runClock.Elapsed);
        return FinSucc(outcome);
    }
}
