using Certify.Functional.Errors;
using Certify.Functional.Layers;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Functional.Relaxations.DeepPoly;

/// <summary>
/// An upper estimate of the memory a CROWN/DeepPoly back-substitution needs, from the architecture alone, and the
/// refusal (with a batch size that fits) when it exceeds a budget. Counted: every coefficient tensor A [B, K, n] of every
/// chain (both sides for intermediate bounds), assuming no dead-neuron compaction and A shared by the batch only
/// until the first ReLU; kept all at once when training (autograd keeps them), the largest chain with its temporaries
/// when only certifying.
/// </summary>
public static class BackSubstitutionMemory
{
    /// <summary>Temporaries alive per coefficient tensor (the tensor, the sign-split factor, the product).</summary>
    const double TemporariesPerTensor = 3;

    /// <summary>Estimated peak bytes for a batch of <paramref name="batch"/> examples of <paramref name="elementBytes"/>
    /// bytes per element (4: float32; 12 for a certification confirmed in float64, whose float32 and float64 passes both
    /// stay resident).</summary>
    public static long Estimate(NetworkDescription network, long batch, bool training, bool ibpIntermediate, int elementBytes = sizeof(float))
    {
        var layers = network.Layers;
        var chains = new List<double>();
        foreach (var relu in layers.Where(l => l.Declaration.Kind == LayerKind.ReLU))
            if (!ibpIntermediate) chains.Add(2 * Chain(layers, relu.Index - 1, relu.Input.Size, batch));
        chains.Add(Chain(layers, layers.Count - 1, Math.Max(1, network.Output.Size), batch));
        double elements = training ? chains.Sum() * TemporariesPerTensor : chains.Max() * TemporariesPerTensor;
        return (long)(elements * elementBytes);
    }

    // Σ over the layers back-substituted of the elements of A after each one.
    static double Chain(IReadOnlyList<ResolvedLayer> layers, int from, long rows, long batch)
    {
        double total = 0;
        bool perExample = false;
        for (int j = from; j >= 0; j--)
        {
            if (layers[j].Declaration.Kind == LayerKind.ReLU) perExample = true;
            total += (perExample ? batch : 1) * (double)rows * layers[j].Input.Size;
        }
        return total;
    }

    /// <summary>The default budget: 75 % of the memory this process may use (physical memory or the container limit).</summary>
    public static long DefaultBudget => (long)(0.75 * GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);

    /// <summary>Succeeds when the estimate fits <paramref name="budgetBytes"/>; otherwise a readable error naming the
    /// estimate, the budget and the largest batch size that fits.</summary>
    public static Fin<Unit> Check(NetworkDescription network, long batch, bool training, bool ibpIntermediate, long budgetBytes, int elementBytes = sizeof(float))
    {
        long need = Estimate(network, batch, training, ibpIntermediate, elementBytes);
        if (need <= budgetBytes) return FinSucc(unit);
        long fits = 0, tooMany = batch;                                          // binary search: the estimate grows with the batch
        while (tooMany - fits > 1)
        {
            long mid = fits + (tooMany - fits) / 2;
            if (Estimate(network, mid, training, ibpIntermediate, elementBytes) <= budgetBytes) fits = mid; else tooMany = mid;
        }
        return FinFail<Unit>(Error.New(ErrorCodes.InvalidConfig,
            $"Back-substitution on {network.Name} with batch {batch} needs about {Gib(need)} ({(training ? "training" : "certification")}), " +
            $"more than the budget of {Gib(budgetBytes)}. Use a batch size of at most {fits}" +
            (fits == 0 ? " (even one example does not fit: raise the budget)" : "") + "."));
    }

    static string Gib(long bytes) => $"{bytes / (1024.0 * 1024 * 1024):F2} GiB";
}
