using System.Diagnostics;
using Certify.Functional.Data;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification;
using Certify.Functional.Samples;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Benchmarks;

/// <summary><c>profile MODEL DOMAIN EPS [train]</c>: wall time of repeated certification (or training steps) on
/// the first 100 test images, for quick what-if comparisons while optimising.</summary>
public static class Profile
{
    public static int Run(string[] args)
    {
        torch.set_num_threads(1);
        var data = Fixtures.Mnist(Split.Test);
        using var net = Fixtures.Network("FC", args[0]);
        var domain = Fixtures.Domain(args[1]);
        double eps = double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        bool train = args.Length > 3 && args[3] == "train";
        var (x, y) = data.Batch(Enumerable.Range(0, 100).ToArray());
        var times = new List<double>();
        for (int i = 0; i < 4; i++)
        {
            var clock = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                if (train) SpecLoss.Loss(Verifier.Bounds(net, x, y, eps, domain), y).backward();
                else Verifier.Certify(net, x, y, eps, domain).sum().item<long>();
            }
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"{args[0]} {args[1]} ε {eps} {(train ? "train" : "certify")}: {string.Join(" ", times.Select(t => t.ToString("F0")))} ms");
        return 0;
    }
}
