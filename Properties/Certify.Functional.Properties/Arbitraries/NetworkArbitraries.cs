using Certify.Functional.Layers;
using FsCheck;
using FsCheck.Fluent;

namespace Certify.Functional.Properties.Arbitraries;

/// <summary>
/// Bounded generators of <see cref="NetworkCase"/>s (never FsCheck's default double): Dense nets of depth 1–4 and
/// widths 1–12, and Conv nets on 1×4×4, 1×6×6 or 2×5×5 images (1–2 Conv2d with 1–4 channels, kernel 1–3, stride 1–2,
/// padding 0–1, then Flatten and Dense layers, or Flatten as the last layer so the specification becomes a layer of
/// its own), with or without a Normalize layer first; weight scale ×1/×2/×4 of PyTorch's default init; 16–24 inputs;
/// ε ∈ [0, 0.5] (with extra mass at 0 and near 0). Sizes grow with FsCheck's size; the shrinker moves ε and the scale
/// toward their smallest values and removes or narrows hidden layers.
/// </summary>
public static class NetworkArbitraries
{
    /// <summary>Registered with <c>[Properties(Arbitrary = …)]</c>.</summary>
    public static Arbitrary<NetworkCase> Cases() => Arb.From(CaseGen, Shrink);

    /// <summary>Cases of the inclusion laws (registered like <see cref="Cases"/>).</summary>
    public static Arbitrary<InclusionCase> Inclusions() => Arb.From(
        from c in CaseGen
        from omega in Gen.Elements(0.01, 0.1, 0.5, 1.5)
        from perUnit in Gen.Elements(1.0, 10.0, 100.0)
        from delta in Gen.Choose(0, 200)
        select new InclusionCase(c, omega, perUnit, c.Eps + delta / 1000.0),
        i => Shrink(i.Case).Select(c => i with { Case = c, LargerEps = Math.Max(c.Eps, i.LargerEps) }));

    /// <summary>ε ∈ [0, 0.5] on a 1e-3 grid, with extra mass at 0 (point boxes) and in (0, 0.02].</summary>
    public static Gen<double> Eps { get; } = Gen.Frequency(
        (1, Gen.Constant(0.0)),
        (2, Gen.Choose(1, 20).Select(k => k / 1000.0)),
        (7, Gen.Choose(0, 500).Select(k => k / 1000.0)));

    /// <summary>ε for the stable-neuron exactness law, never 0 (the point box has its own law): on a 1e-3 grid in
    /// [0.001, 0.5], with extra mass in [0.001, 0.02]. The law gives the network margins for this radius, so it is the
    /// width actually bounded (up to clamping at the input's edges).</summary>
    public static Gen<double> StableEps { get; } = Gen.Frequency(
        (2, Gen.Choose(1, 20).Select(k => k / 1000.0)),
        (7, Gen.Choose(1, 500).Select(k => k / 1000.0)));

    /// <summary>Architectures: Dense-only (3 in 5) or Conv (2 in 5).</summary>
    public static Gen<Architecture> Architectures { get; } = Gen.Frequency((3, DenseNets()), (2, ConvNets()));

    /// <summary>The full case generator.</summary>
    public static Gen<NetworkCase> CaseGen { get; } =
        from arch in Architectures
        from seed in Gen.Choose(0, int.MaxValue)
        from scale in Gen.Elements(1.0, 2.0, 4.0)
        from eps in Eps
        from batch in Gen.Choose(16, 24)
        from labels in Gen.ArrayOf(Gen.Choose(0, arch.Classes - 1), batch)
        select new NetworkCase(arch, seed, scale, eps, batch, labels);

    static int Grow(int size, int min, int max) => min + (max - min) * Math.Min(size, 100) / 100;

    static Gen<LayerDeclaration[]> Normalization(int channels) => Gen.Frequency(
        (1, Gen.Constant(Array.Empty<LayerDeclaration>())),
        (1, from mean in Gen.Elements(0.1307, 0.5, 0.25)
            from std in Gen.Elements(0.3081, 0.2, 0.5)
            from perChannel in Gen.Elements(false, channels > 1)
            select new LayerDeclaration[]
            {
                perChannel
                    ? new NormalizeDeclaration([.. Enumerable.Range(0, channels).Select(c => mean + 0.05 * c)], [.. Enumerable.Range(0, channels).Select(c => std + 0.1 * c)])
                    : new NormalizeDeclaration([mean], [std]),
            }));

    static Gen<Architecture> DenseNets() => Gen.Sized(size =>
        from inputs in Gen.Choose(1, Grow(size, 1, 10))
        from depth in Gen.Choose(1, Grow(size, 1, 4))
        from hidden in Gen.ArrayOf(Gen.Choose(1, Grow(size, 1, 12)), depth - 1)
        from classes in Gen.Choose(2, Grow(size, 2, 10))
        from norm in Normalization(inputs)
        select new Architecture(Shape.Of(inputs),
            [.. norm, .. hidden.SelectMany(w => new LayerDeclaration[] { new DenseDeclaration(w), new ReluDeclaration() }), new DenseDeclaration(classes)]));

    static Gen<Architecture> ConvNets() => Gen.Sized(size =>
        from input in size < 30 ? Gen.Elements(Shape.Of(1, 4, 4), Shape.Of(1, 6, 6)) : Gen.Elements(Shape.Of(1, 4, 4), Shape.Of(1, 6, 6), Shape.Of(2, 5, 5))
        from count in Gen.Choose(1, Grow(size, 1, 2))
        from convs in Convs(count, input.Dims[0], input.Dims[1], input.Dims[2])
        from norm in Normalization(input.Dims[0])
        from tail in Tail(convs.Channels * convs.Height * convs.Width, size)
        select new Architecture(input, [.. norm, .. convs.Layers, new FlattenDeclaration(), .. tail]));

    sealed record ConvStack(LayerDeclaration[] Layers, int Channels, int Height, int Width);

    static Gen<ConvStack> Convs(int count, int c, int h, int w) => count == 0
        ? Gen.Constant(new ConvStack([], c, h, w))
        : from outC in Gen.Choose(1, 4)
          from pad in Gen.Choose(0, 1)
          from kernel in Gen.Choose(1, Math.Min(3, Math.Min(h, w) + 2 * pad))
          from stride in Gen.Choose(1, 2)
          let h2 = (h + 2 * pad - kernel) / stride + 1
          let w2 = (w + 2 * pad - kernel) / stride + 1
          from rest in Convs(count - 1, outC, h2, w2)
          select new ConvStack([new Conv2dDeclaration(outC, kernel, stride, pad), new ReluDeclaration(), .. rest.Layers], rest.Channels, rest.Height, rest.Width);

    // After Flatten: nothing (if the flattened size is a plausible number of logits), Dense(K), or Dense → ReLU → Dense(K).
    static Gen<LayerDeclaration[]> Tail(int flat, int size)
    {
        var dense = from classes in Gen.Choose(2, Grow(size, 2, 10))
                    select new LayerDeclaration[] { new DenseDeclaration(classes) };
        var hidden = from width in Gen.Choose(1, Grow(size, 1, 12))
                     from classes in Gen.Choose(2, Grow(size, 2, 10))
                     select new LayerDeclaration[] { new DenseDeclaration(width), new ReluDeclaration(), new DenseDeclaration(classes) };
        return flat is >= 2 and <= 16
            ? Gen.Frequency((1, Gen.Constant(Array.Empty<LayerDeclaration>())), (2, dense), (2, hidden))
            : Gen.Frequency((1, dense), (1, hidden));
    }

    /// <summary>Smaller cases first: ε = 0 and ε/2, scale 1, half the batch, no Normalize, one hidden Dense+ReLU
    /// pair fewer, narrower hidden Dense layers. Every candidate is a valid architecture with the same number of logits.</summary>
    public static IEnumerable<NetworkCase> Shrink(NetworkCase c)
    {
        if (c.Eps > 0) yield return c with { Eps = 0 };
        if (c.Eps > 0.002) yield return c with { Eps = Math.Round(c.Eps / 2, 3) };
        if (c.Scale > 1) yield return c with { Scale = c.Scale / 2 };
        if (c.Batch > 1) yield return c with { Batch = c.Batch / 2 };
        foreach (var arch in ShrinkArchitecture(c.Arch))
            yield return c with { Arch = arch };
    }

    static IEnumerable<Architecture> ShrinkArchitecture(Architecture a)
    {
        var layers = a.Layers;
        int classes = a.Classes;
        var candidates = new List<LayerDeclaration[]>();
        if (layers[0] is NormalizeDeclaration) candidates.Add([.. layers.Skip(1)]);
        for (int i = 0; i + 1 < layers.Count - 1; i++)
        {
            if (layers[i] is DenseDeclaration && layers[i + 1] is ReluDeclaration)
                candidates.Add([.. layers.Take(i), .. layers.Skip(i + 2)]);
        }
        for (int i = 0; i < layers.Count - 1; i++)
        {
            if (layers[i] is DenseDeclaration d && d.OutFeatures > 1)
                candidates.Add([.. layers.Take(i), new DenseDeclaration(d.OutFeatures / 2), .. layers.Skip(i + 1)]);
        }
        foreach (var candidate in candidates)
        {
            var ok = NetworkDescription.Build("shrink", a.Input, candidate).Match(d => d.Output.IsFlat && d.Output.Size == classes, _ => false);
            if (ok) yield return new Architecture(a.Input, candidate);
        }
    }
}
