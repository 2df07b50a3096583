using Certify.Functional.Bounds;
using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Properties.Laws;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Certify.Functional.Properties.Relaxations;

/// <summary>soundness.md §12.2's inclusion theorems (and nothing of §12.3) on random networks and inputs; pinned seed.</summary>
[Collection(LawCollection.Name)]
[Properties(Arbitrary = [typeof(NetworkArbitraries)], MaxTest = 300, QuietOnSuccess = true, Replay = "(271828182845,3141592653)")]
public sealed class InclusionProperties : TorchTest
{
    /// <summary>hBox ⊆ Box, zBox ⊆ hBox, zDiag ⊆ hDiag, Box ⊆ DC(ω, W) ⊆ C(ω): per ReLU input, per logit, merged diffs.</summary>
    [Property] public void Inclusion_chains(InclusionCase c) => InclusionLaws.Chains(c);

    /// <summary>Box bounds are monotone in ε.</summary>
    [Property] public void Box_is_monotone_in_eps(InclusionCase c) => InclusionLaws.BoxMonotoneInEps(c);
}

/// <summary>Exactness without crossing neurons (soundness.md §12.2); pinned seed.</summary>
[Collection(LawCollection.Name)]
[Properties(Arbitrary = [typeof(NetworkArbitraries)], MaxTest = 150, QuietOnSuccess = true, Replay = "(161803398874,2718281829)")]
public sealed class ExactnessProperties : TorchTest
{
    /// <summary>ε = 0 gives the concrete forward pass; the first ReLU input is exact at any ε.</summary>
    [Property] public void Point_box_and_first_layer_are_exact(NetworkCase c) => ExactnessLaws.PointBoxAndFirstLayer(c);

    /// <summary>Cases of the stable-neuron law: a generated case with ε from <see cref="NetworkArbitraries.StableEps"/>
    /// (never 0), shrinking like the other cases but keeping ε &gt; 0.</summary>
    static readonly Arbitrary<NetworkCase> StableCases = Arb.From(
        from c in NetworkArbitraries.CaseGen
        from eps in NetworkArbitraries.StableEps
        select c.WithEps(eps),
        c => NetworkArbitraries.Shrink(c).Where(s => s.Eps > 0));

    /// <summary>hBox/zonotope families are exact when every neuron is stable on the ball. Reports (not quiet) the
    /// distribution of each case's smallest effective ε, how many cases have no ReLU (affine networks), and how many
    /// examples got less than the drawn ε.</summary>
    [Property(QuietOnSuccess = false)]
    public Property Stable_networks_are_exact() => Prop.ForAll(StableCases, c =>
    {
        var used = ExactnessLaws.StableNeurons(c);
        return true
            .Collect($"smallest effective ε {Bucket(used.Min())}")
            .Classify(!c.Arch.Layers.Any(l => l is Certify.Functional.Layers.ReluDeclaration), "no ReLU")
            .Classify(used.Any(e => e < c.Eps), "an example below the drawn ε");
    });

    static string Bucket(double eps) => eps switch
    {
        0 => "0",
        < 1e-4 => "in (0, 1e-4)",
        < 1e-3 => "in [1e-4, 1e-3)",
        < 1e-2 => "in [1e-3, 1e-2)",
        < 1e-1 => "in [1e-2, 0.1)",
        _ => "in [0.1, 0.5]",
    };
}

/// <summary>Representation invariants (soundness.md §12.1.4); pinned seed.</summary>
[Collection(LawCollection.Name)]
[Properties(Arbitrary = [typeof(NetworkArbitraries)], MaxTest = 100, QuietOnSuccess = true, Replay = "(5772156649,1414213563)")]
public sealed class InvariantProperties : TorchTest
{
    /// <summary>β ≥ 0 and radius ≥ 0 after a whole network.</summary>
    [Property] public void Box_parts_are_non_negative(NetworkCase c) => InvariantLaws.NonNegativeBoxParts(c);

    /// <summary>(l, width) pairs on a 1e-3 grid in [−10, 10] × [0, 10] (with exact zeros), 1–16 neurons, every ReLU rule.</summary>
    static readonly Arbitrary<(ZonotopeOptions Options, double[] Lower, double[] Width)> Bands =
        (from options in Gen.Elements(
             new ZonotopeOptions(ZonoRelu.DeepZ), new ZonotopeOptions(ZonoRelu.Box), new ZonotopeOptions(ZonoRelu.Diag),
             new ZonotopeOptions(ZonoRelu.DiagC), new ZonotopeOptions(ZonoRelu.DiagCDefect), new ZonotopeOptions(ZonoRelu.Switch),
             new ZonotopeOptions(ZonoRelu.Soft, 0.1), new ZonotopeOptions(ZonoRelu.Soft, 1), new ZonotopeOptions(ZonoRelu.Soft, 5))
         from n in Gen.Choose(1, 16)
         from lower in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(-10_000, 10_000))).Select(k => k / 1000.0), n)
         from width in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(0, 10_000))).Select(k => k / 1000.0), n)
         select (options, lower, width)).ToArbitrary();

    /// <summary>0 ≤ λ ≤ 1, μ ≥ 0 and relu(x) ∈ λx + [0, 2μ] on [l, u] for every rule (the band of the defective diag-c
    /// is fine; its defect is the missing noise symbol, shown in <see cref="UnsoundDiagCTests"/>).</summary>
    [Property(MaxTest = 500)]
    public Property Relu_band_contains_relu() => Prop.ForAll(Bands, b => InvariantLaws.ReluBand(b.Options, b.Lower, b.Width));

    /// <summary>(l, u) pairs on a 1e-3 grid in [−10, 10] with exact l = 0, u = 0 and l = u = 0, 1–16 neurons, every CROWN
    /// variant and soft slopes γ ∈ {0.1, 1, 5, 10}.</summary>
    static readonly Arbitrary<(CrownOptions Options, double[] Lower, double[] Upper)> Envelopes =
        (from options in Gen.Elements(Enum.GetValues<CrownVariant>().Where(v => v != CrownVariant.Soft).Select(v => new CrownOptions(v))
             .Concat(new[] { 0.1, 1, 5, 10 }.Select(g => new CrownOptions(CrownVariant.Soft, g))).ToArray())
         from n in Gen.Choose(1, 16)
         from pairs in Gen.ArrayOf(Gen.Frequency(
             (1, Gen.Choose(0, 10_000).Select(k => (0.0, k / 1000.0))),                       // l = 0
             (1, Gen.Choose(-10_000, 0).Select(k => (k / 1000.0, 0.0))),                      // u = 0
             (1, Gen.Constant((0.0, 0.0))),
             (6, from a in Gen.Choose(-10_000, 10_000) from b in Gen.Choose(-10_000, 10_000)
                 select (Math.Min(a, b) / 1000.0, Math.Max(a, b) / 1000.0))), n)
         select (options, pairs.Select(p => p.Item1).ToArray(), pairs.Select(p => p.Item2).ToArray())).ToArbitrary();

    /// <summary>Every CROWN / DeepPoly envelope lies between ReLU's lower and upper lines on [l, u], slopes in [0, 1].</summary>
    [Property(MaxTest = 500)]
    public Property Crown_envelope_brackets_relu() => Prop.ForAll(Envelopes, e => InvariantLaws.CrownEnvelope(e.Options, e.Lower, e.Upper));
}
