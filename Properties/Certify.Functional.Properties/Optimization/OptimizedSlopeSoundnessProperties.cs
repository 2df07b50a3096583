using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Properties.Laws;
using FsCheck.Xunit;

namespace Certify.Functional.Properties.Optimization;

/// <summary>
/// The soundness law (soundness.md §12.1) for the optimised-slope domains at several iterates: α-CROWN after 0 (= CROWN), 1 and 5
/// steps (Adam and signed steps, with and without optimised intermediate bounds, with and without IBP-intersected ones) and iclr2021. Every α ∈ [0, 1] gives a
/// sound bound, so every iterate must pass. The soundness.md §12.2 elision comparison (merged ≥ per-logit differences) is kept only
/// for steps = 0: with optimisation the merged and per-logit bounds use different slopes (learned separately for each
/// specification, also by iclr2021), and the theorem needs the same relaxation on both sides; nor with IBP-intersected
/// intermediate bounds (the default), which can be narrower than a neuron's back-substituted range, as crown-ibp's.
/// </summary>
[Collection(LawCollection.Name)]
[Properties(Arbitrary = [typeof(NetworkArbitraries)], MaxTest = MaxTest, QuietOnSuccess = true, Replay = "(6180339887,4142135623)")]
public sealed class OptimizedSlopeSoundnessProperties : TorchTest
{
    /// <summary>Cases per domain (16–24 inputs each).</summary>
    public const int MaxTest = 40;

    [Property] public void AlphaCrownSteps0(NetworkCase c) => SoundnessLaw.Holds("alpha-crown:steps=0,intersect=0", c);
    [Property] public void AlphaCrownSteps1(NetworkCase c) => SoundnessLaw.Holds("alpha-crown:steps=1", c, elision: false);
    [Property] public void AlphaCrownSteps5(NetworkCase c) => SoundnessLaw.Holds("alpha-crown:steps=5,lr=0.5", c, elision: false);
    [Property] public void AlphaCrownSigned5(NetworkCase c) => SoundnessLaw.Holds("alpha-crown:steps=5,signed=1,lr=0.3", c, elision: false);
    [Property] public void AlphaCrownIntermediate1(NetworkCase c) => SoundnessLaw.Holds("alpha-crown:steps=1,intermediate=1", c, elision: false);
    [Property] public void AlphaCrownIntermediate5(NetworkCase c) => SoundnessLaw.Holds("alpha-crown:steps=5,intermediate=1,lr=0.5", c, elision: false);
    [Property] public void AlphaCrownIntersectedSteps0(NetworkCase c) => SoundnessLaw.Holds("alpha-crown:steps=0", c, elision: false);
    [Property] public void AlphaCrownIntersected5(NetworkCase c) => SoundnessLaw.Holds("alpha-crown:steps=5,lr=0.5,intersect=1", c, elision: false);
    [Property] public void AlphaCrownIntersectedIntermediate3(NetworkCase c) => SoundnessLaw.Holds("alpha-crown:steps=3,intermediate=1,intersect=1", c, elision: false);
    [Property] public void Iclr2021(NetworkCase c) => SoundnessLaw.Holds("iclr2021", c, elision: false);
}
