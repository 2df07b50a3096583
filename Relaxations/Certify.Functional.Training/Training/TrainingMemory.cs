using Certify.Functional.Layers;
using Certify.Functional.Relaxations.DeepPoly;

namespace Certify.Functional.Training;

/// <summary>
/// Upper estimates of the tensor memory of one training step (forward values kept for backward) per relaxation, from
/// the architecture alone (float32, no dead-neuron compaction, every ReLU neuron assumed crossing):
/// box — centre and radius of every layer; hbox — the input's error matrix carried through every layer (B·n·d once a Dense/Conv has mixed it, diagonal before) plus a
/// box part; zono — as hbox plus one new error term per ReLU neuron of the earlier layers; deeppoly and crown-ibp —
/// <see cref="BackSubstitutionMemory"/> (every coefficient tensor of every chain), crown-ibp plus its box pass.
/// Each value is multiplied by the temporaries alive per tensor (3). A guide for choosing batch sizes, not a bound.
/// </summary>
public static class TrainingMemory
{
    /// <summary>The relaxation families estimated.</summary>
    public static IReadOnlyList<string> Families { get; } = ["box", "hbox", "zono", "deeppoly", "crown-ibp"];

    /// <summary>Estimated bytes of one training step at batch <paramref name="batch"/> in <paramref name="family"/>.</summary>
    public static long Estimate(NetworkDescription network, long batch, string family)
    {
        const double temporaries = 3;
        long inputErrors = network.Input.Size;
        double box = 0, hybrid = 0, zono = 0;
        long newErrors = 0;
        bool mixed = false;                 // before the first Dense/Conv the input's error terms stay diagonal (one per value)
        foreach (var layer in network.Layers)
        {
            long n = layer.Output.Size;
            mixed |= layer.Declaration.Kind is LayerKind.Dense or LayerKind.Conv2d;
            long errors = mixed ? inputErrors : 1;
            box += 2.0 * batch * n;
            hybrid += batch * n * (double)(errors + 1);
            zono += batch * n * (double)(errors + newErrors + 1);
            if (layer.Declaration.Kind == LayerKind.ReLU) newErrors += n;
        }
        double elements = family switch
        {
            "box" => box * temporaries,
            "hbox" => (hybrid + box) * temporaries,
            "zono" => zono * temporaries,
            "deeppoly" => BackSubstitutionMemory.Estimate(network, batch, training: true, ibpIntermediate: false) / (double)sizeof(float),
            "crown-ibp" => BackSubstitutionMemory.Estimate(network, batch, training: true, ibpIntermediate: true) / (double)sizeof(float) + box * temporaries,
            _ => throw new ArgumentException($"Unknown relaxation family '{family}'. Known: {string.Join(", ", Families)}.", nameof(family)),
        };
        return (long)(elements * sizeof(float));
    }
}
