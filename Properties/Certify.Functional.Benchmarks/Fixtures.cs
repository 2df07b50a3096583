using Certify.Functional.Data;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Samples;

namespace Certify.Functional.Benchmarks;

/// <summary>What every benchmark and probe loads: the embedded MNIST subset, a catalog network (optionally with one of
/// the paper's released weights, copied next to the binary as Reference/mnist_FC_*.pt) and a domain by name.</summary>
public static class Fixtures
{
    /// <summary>Prints the median wall time of <paramref name="action"/> over <paramref name="runs"/> runs after
    /// <paramref name="warmup"/> unmeasured ones, each in its own dispose scope (the probes' timing).</summary>
    public static void PrintMedian(string name, Action action, int warmup, int runs)
    {
        for (int i = 0; i < warmup; i++) using (TorchSharp.torch.NewDisposeScope()) action();
        var times = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            using (TorchSharp.torch.NewDisposeScope()) action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine($"{name,-40} {times[runs / 2]:F3} ms");
    }

    public static Dataset Mnist(Split split) =>
        DatasetCatalog.Load("mnist", null, split).Match(d => d, e => throw new InvalidOperationException(e.Message));

    /// <summary>A fresh network; with <paramref name="model"/> (a path, or a stem like "crown" for mnist_FC_crown.pt,
    /// or "random"/null for fresh weights) its weights are loaded.</summary>
    public static NetworkModule Network(string name, string? model = null)
    {
        var net = NetworkCatalog.Find(name, Shape.Of(1, 28, 28)).Match(e => e, e => throw new InvalidOperationException(e.Message)).Create();
        if (model is null or "random") return net;
        var path = File.Exists(model) ? model : Path.Combine(SharedReference(), "pretrained", $"mnist_FC_{model}.pt");
        StateDict.Load(net, path).Match(_ => 0, e => throw new InvalidOperationException(e.Message));
        return net;
    }

    /// <summary>The paper's released networks are not in the repository: ../shared/reference beside the clone, or
    /// $CERTIFY_SHARED/reference.</summary>
    public static string SharedReference()
    {
        if (Environment.GetEnvironmentVariable("CERTIFY_SHARED") is { Length: > 0 } named) return Path.Combine(named, "reference");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Certify.Functional.sln")))
                return Path.Combine(dir.Parent?.FullName ?? dir.FullName, "shared", "reference");
        throw new InvalidOperationException("The paper's released networks are read from ../shared/reference beside the clone (or $CERTIFY_SHARED); pass a .pt path instead.");
    }

    public static Domain Domain(string name) =>
        Verification.Domains.Domain.Parse(name).Match(d => d, e => throw new InvalidOperationException(e.Message));
}
