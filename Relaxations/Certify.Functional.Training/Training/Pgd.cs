using Certify.Functional.Runtime;
using Certify.Functional.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Training;

/// <summary>Settings of the PGD attack (training.md §6): random start δ₀ ~ U[−ε, ε], <paramref name="Steps"/> signed-gradient
/// steps of size <paramref name="StepSize"/> on the cross-entropy, projection onto the ε-ball and onto [0, 1], and
/// <paramref name="Restarts"/> independent random starts (an image counts as broken if any restart breaks it).</summary>
public sealed record PgdOptions(int Steps = 100, double StepSize = 0.01, int Restarts = 1);

/// <summary>Projected gradient descent on the inputs (untargeted, L∞). Only the inputs get gradients; the network's
/// parameters are untouched. Deterministic given the generator. One dispose scope per step keeps memory flat.</summary>
public static class Pgd
{
    /// <summary>Per image whether it is still classified correctly after the attack (bool [B]), and the adversarial
    /// inputs of the last restart. <paramref name="x"/> [B, …] in [0, 1], <paramref name="y"/> int64 [B].</summary>
    public static (Tensor Robust, Tensor Adversarial) Attack(nn.Module<Tensor, Tensor> network, Tensor x, Tensor y, double eps,
        PgdOptions options, Generator? generator = null)
    {
        using var _ = enable_grad();
        var robust = ones(x.shape[0], dtype: ScalarType.Bool, device: x.device);
        Tensor adversarial = x.alias();
        for (int r = 0; r < Math.Max(1, options.Restarts); r++)
        {
            var delta = ((rand(x.shape, generator: generator, device: x.device) * 2 - 1) * eps).requires_grad_(true);
            for (int step = 0; step < options.Steps; step++)
            {
                using var scope = NewDisposeScope();
                var loss = nn.functional.cross_entropy(network.forward((x + delta).clamp(0, 1)), y);
                var grad = autograd.grad([loss], [delta])[0];
                using (no_grad())
                    delta = (delta + options.StepSize * grad.sign()).clamp(-eps, eps).MoveToOuterDisposeScope().requires_grad_(true);
            }
            using (no_grad())
            {
                adversarial = (x + delta).clamp(0, 1);
                robust = robust.logical_and(network.forward(adversarial).argmax(1).eq(y));
            }
        }
        return (robust, adversarial.detach());
    }

    /// <summary>Per image of the first <paramref name="count"/> images of <paramref name="data"/> (file order): clean
    /// correctness and robustness to the attack (robust implies clean). <paramref name="progress"/> gets images done.
    /// One <paramref name="generator"/> runs through all batches (a batch's random starts depend on the batches before it);
    /// <see cref="BatchGenerator"/> gives each batch a stream of its own.</summary>
    public static (bool[] Clean, bool[] Robust) Evaluate(nn.Module<Tensor, Tensor> network, Dataset data, int count, double eps,
        PgdOptions options, int batchSize, Device device, Generator generator, Action<int>? progress = null)
    {
        int n = Math.Clamp(count, 0, data.Count);
        var clean = new bool[n];
        var robust = new bool[n];
        network.eval();
        using var guard = GcGuard.Open();
        for (int start = 0; start < n; start += batchSize)
        {
            guard.SafePoint();
            var (c, r) = EvaluateBatch(network, data, start, Math.Min(batchSize, n - start), eps, options, device, generator);
            c.CopyTo(clean, start);
            r.CopyTo(robust, start);
            progress?.Invoke(start + c.Length);
        }
        return (clean, robust);
    }

    /// <summary>Clean correctness and robustness (robust implies clean) of images <paramref name="start"/> …
    /// start + <paramref name="size"/> − 1 of <paramref name="data"/>, attacked as one batch with <paramref name="generator"/>;
    /// the network must be in eval mode.</summary>
    public static (bool[] Clean, bool[] Robust) EvaluateBatch(nn.Module<Tensor, Tensor> network, Dataset data, int start, int size, double eps,
        PgdOptions options, Device device, Generator generator)
    {
        using var scope = NewDisposeScope();
        var (x, y) = data.Batch(Enumerable.Range(start, size).ToArray(), device);
        bool[] c;
        using (no_grad()) c = network.forward(x).argmax(1).eq(y).to(CPU).data<bool>().ToArray();
        var r = options.Steps == 0 ? c : Attack(network, x, y, eps, options, generator).Robust.to(CPU).data<bool>().ToArray();
        return (c, c.Zip(r, (ci, ri) => ci && ri).ToArray());
    }

    /// <summary>The random stream of the batch whose first image is <paramref name="start"/>: a generator seeded from
    /// (<paramref name="seed"/>, start) alone (SplitMix64's mixing of both), so that a batch's random starts do not depend
    /// on the batches attacked before it, nor on which process of a job attacks it.</summary>
    public static Generator BatchGenerator(long seed, int start, Device device)
    {
        static ulong Mix(ulong z)
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
        return new Generator(Mix(unchecked((ulong)seed) ^ Mix(0x9E3779B97F4A7C15UL + (ulong)(uint)start)), device);
    }
}
