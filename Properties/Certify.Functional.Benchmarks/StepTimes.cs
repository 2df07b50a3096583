using System.Diagnostics;
using Certify.Functional.Data;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Benchmarks;

/// <summary><c>steps NET MODEL ROUNDS DOMAIN…</c>: median training-step times (forward, loss, backward, Adam with lr 0,
/// batch 100, ε 0.1, 1 thread) of a natural step and of each domain, interleaved round by round so that load from other
/// processes hits all of them alike; prints each median and its ratio to the natural step. MODEL = a mnist_FC_* stem
/// (FC only) or "random".</summary>
public static class StepTimes
{
    public static int Run(string[] args)
    {
        torch.set_num_threads(1);
        torch.manual_seed(1);
        var data = Fixtures.Mnist(Split.Train);
        using var net = Fixtures.Network(args[0], args[1]);
        int rounds = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        var optimizer = optim.Adam(net.parameters(), lr: 0);
        var (x, y) = data.Batch(Enumerable.Range(0, 100).ToArray());
        var steps = new List<(string Name, Func<Tensor> Loss)> { ("natural", () => nn.functional.cross_entropy(net.forward(x), y)) };
        foreach (var name in args[3..])
        {
            var domain = Fixtures.Domain(name);
            steps.Add((name, () => SpecLoss.Loss(Verifier.Bounds(net, x, y, 0.1, domain), y)));
        }
        var times = steps.Select(_ => new List<double>()).ToArray();
        var cpuTimes = steps.Select(_ => new List<double>()).ToArray();
        bool blocks = Environment.GetEnvironmentVariable("CF_STEPS_BLOCKS") == "1";    // one domain after the other instead
        int warmup = Math.Max(2, rounds / 5);
        foreach (var (round, i) in blocks
            ? Enumerable.Range(0, steps.Count).SelectMany(i => Enumerable.Range(-warmup, warmup + rounds).Select(r => (r, i)))
            : Enumerable.Range(-warmup, warmup + rounds).SelectMany(r => Enumerable.Range(0, steps.Count).Select(i => (r, i))))
            {
                var clock = Stopwatch.StartNew();
                double cpu0 = ThreadCpu.Milliseconds();
                using (NewDisposeScope())
                {
                    optimizer.zero_grad();
                    steps[i].Loss().backward();
                    optimizer.step();
                }
                if (round >= 0) { times[i].Add(clock.Elapsed.TotalMilliseconds); cpuTimes[i].Add(ThreadCpu.Milliseconds() - cpu0); }
            }
        double Median(List<double> t) { t.Sort(); return t[t.Count / 2]; }
        double natural = Median(times[0]), naturalCpu = Median(cpuTimes[0]);
        for (int i = 0; i < steps.Count; i++)
        {
            double m = Median(times[i]), c = Median(cpuTimes[i]);
            Console.WriteLine($"{args[0]} {args[1]} {steps[i].Name,-12} median wall {m,10:F3} ms ({m / natural:F3}× natural), thread CPU {c,10:F3} ms ({c / naturalCpu:F3}×), {rounds} rounds");
        }
        return 0;
    }
}

/// <summary>CPU time of the calling thread (with one torch thread the ops run on it), immune to other processes' load.</summary>
static class ThreadCpu
{
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    struct TimeSpec { public long Seconds, Nanoseconds; }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    static extern int ClockGetTime(int clock, out TimeSpec time);

    const int ThreadCpuClock = 3;                                            // CLOCK_THREAD_CPUTIME_ID

    public static double Milliseconds() => ClockGetTime(ThreadCpuClock, out var t) == 0 ? t.Seconds * 1e3 + t.Nanoseconds / 1e6 : double.NaN;
}
