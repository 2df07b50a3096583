using System.Diagnostics;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification;
using Certify.Functional.Samples;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Benchmarks;

/// <summary>Peak resident memory (VmHWM) of one training step (forward + backward) of a domain on a network with
/// random inputs: <c>memory NET DOMAIN BATCH EPS</c>, e.g. <c>memory CONV zono 50 0.1</c>.</summary>
public static class MemoryProbe
{
    public static int Run(string[] args)
    {
        string net = args.ElementAtOrDefault(0) ?? "CONV", domainName = args.ElementAtOrDefault(1) ?? "zono";
        int batch = int.Parse(args.ElementAtOrDefault(2) ?? "50");
        double eps = double.Parse(args.ElementAtOrDefault(3) ?? "0.1", System.Globalization.CultureInfo.InvariantCulture);
        torch.set_num_threads(1);
        torch.manual_seed(1);
        var domain = Fixtures.Domain(domainName);
        using var network = Fixtures.Network(net);
        long before = PeakKb();
        var clock = Stopwatch.StartNew();
        using (var scope = NewDisposeScope())
        {
            var x = rand(batch, 1, 28, 28);
            var y = randint(0, 10, [batch]);
            var loss = SpecLoss.Loss(Verifier.Bounds(network, x, y, eps, domain), y);
            loss.backward();
            Console.WriteLine($"loss {loss.item<float>():F4}");
        }
        Console.WriteLine($"{net} {domainName} batch {batch} eps {eps}: step {clock.Elapsed.TotalSeconds:F2} s, peak RSS {PeakKb() / 1024.0 / 1024.0:F2} GiB (before: {before / 1024.0 / 1024.0:F2} GiB)");
        return 0;
    }

    static long PeakKb() => File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:")).Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])).First();
}
