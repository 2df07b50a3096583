using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Properties.Laws;
using FsCheck.Xunit;

namespace Certify.Functional.Properties.Relaxations;

/// <summary>
/// The soundness law (soundness.md §12.1) for every sound domain and variant. Each property checks MaxTest random networks
/// with 16–24 inputs each (≥ 10⁴ network×input pairs per domain) against ~80–100 points of each input's box.
/// Replay pins the seed, so every run checks the same cases.
/// </summary>
[Collection(LawCollection.Name)]
[Properties(Arbitrary = [typeof(NetworkArbitraries)], MaxTest = MaxTest, QuietOnSuccess = true, Replay = "(9431762108551,5170381)")]
public sealed class SoundnessProperties : TorchTest
{
    /// <summary>Cases per domain: with at least 16 inputs per case, ≥ 800·16 = 12,800 networks×inputs.</summary>
    public const int MaxTest = 800;

    [Property] public void Box(NetworkCase c) => SoundnessLaw.Holds("box", c);
    [Property] public void HBox(NetworkCase c) => SoundnessLaw.Holds("hbox", c);
    [Property] public void HZono(NetworkCase c) => SoundnessLaw.Holds("hzono", c);
    [Property] public void HDiag(NetworkCase c) => SoundnessLaw.Holds("hdiag", c);
    [Property] public void HDiagC(NetworkCase c) => SoundnessLaw.Holds("hdiag-c", c);
    [Property] public void HSwitch(NetworkCase c) => SoundnessLaw.Holds("hswitch", c);
    [Property] public void Zono(NetworkCase c) => SoundnessLaw.Holds("zono", c);
    [Property] public void ZBox(NetworkCase c) => SoundnessLaw.Holds("zbox", c);
    [Property] public void ZDiag(NetworkCase c) => SoundnessLaw.Holds("zdiag", c);
    [Property] public void ZDiagC(NetworkCase c) => SoundnessLaw.Holds("zdiag-c", c);
    [Property] public void ZSwitch(NetworkCase c) => SoundnessLaw.Holds("zswitch", c);
    [Property] public void ZonoIbp(NetworkCase c) => SoundnessLaw.Holds("zono-ibp", c);
    [Property] public void ZonoSoftGamma1(NetworkCase c) => SoundnessLaw.Holds("zono:gamma=1", c);
    [Property] public void ZonoSoftGamma5(NetworkCase c) => SoundnessLaw.Holds("zono:gamma=5", c);
    [Property] public void HZonoSoftGamma1(NetworkCase c) => SoundnessLaw.Holds("hzono:gamma=1", c);
    [Property] public void BoxWiden01(NetworkCase c) => SoundnessLaw.Holds("box:widen=0.1", c);
    [Property] public void BoxWiden1(NetworkCase c) => SoundnessLaw.Holds("box:widen=1", c);
    [Property] public void BoxRound05PerUnit10(NetworkCase c) => SoundnessLaw.Holds("box:round=0.5,per-unit=10", c);
    [Property] public void BoxRound01PerUnit1(NetworkCase c) => SoundnessLaw.Holds("box:round=0.1,per-unit=1", c);
}

/// <summary>
/// The soundness law (soundness.md §12.1) for the back-substitution family: CROWN / DeepPoly with its adaptive lower slope and
/// all eight variants, soft slopes, <c>crown</c> (IBP-intersected intermediate bounds) with variants, and CROWN-IBP (R). Same cases as <see cref="SoundnessProperties"/> (same seed,
/// ≥ 10⁴ network×input pairs per domain). No ordering against Box or DeepZ is asserted (soundness.md §12.3).
/// </summary>
[Collection(LawCollection.Name)]
[Properties(Arbitrary = [typeof(NetworkArbitraries)], MaxTest = SoundnessProperties.MaxTest, QuietOnSuccess = true, Replay = "(9431762108551,5170381)")]
public sealed class BackSubstitutionSoundnessProperties : TorchTest
{
    [Property] public void DeepPoly(NetworkCase c) => SoundnessLaw.Holds("deeppoly", c);
    [Property] public void DeepPoly0(NetworkCase c) => SoundnessLaw.Holds("deeppoly:0", c);
    [Property] public void DeepPoly1(NetworkCase c) => SoundnessLaw.Holds("deeppoly:1", c);
    [Property] public void DeepPoly0C(NetworkCase c) => SoundnessLaw.Holds("deeppoly:0-c", c);
    [Property] public void DeepPoly1C(NetworkCase c) => SoundnessLaw.Holds("deeppoly:1-c", c);
    [Property] public void DeepPolyLowerTria(NetworkCase c) => SoundnessLaw.Holds("deeppoly:lower-tria", c);
    [Property] public void DeepPolyUpperTria(NetworkCase c) => SoundnessLaw.Holds("deeppoly:upper-tria", c);
    [Property] public void DeepPolyLowerTriaC(NetworkCase c) => SoundnessLaw.Holds("deeppoly:lower-tria-c", c);
    [Property] public void DeepPolyUpperTriaC(NetworkCase c) => SoundnessLaw.Holds("deeppoly:upper-tria-c", c);
    [Property] public void DeepPolySoftGamma1(NetworkCase c) => SoundnessLaw.Holds("deeppoly:gamma=1", c);
    [Property] public void DeepPolySoftGamma5(NetworkCase c) => SoundnessLaw.Holds("deeppoly:gamma=5", c);
    // crown's IBP-intersected intermediate bounds, like crown-ibp's IBP ones, can be narrower than the range a neuron's
    // back-substituted expression takes over the input box, so the §12.2 elision theorem (merged ≥ per-logit) does not
    // apply (seen: 1.4e-3 on a 2-2-6-4 net); soundness is checked in full.
    [Property] public void Crown(NetworkCase c) => SoundnessLaw.Holds("crown", c, elision: false);
    [Property] public void CrownUpperTriaC(NetworkCase c) => SoundnessLaw.Holds("crown:upper-tria-c", c, elision: false);
    [Property] public void CrownSoftGamma1(NetworkCase c) => SoundnessLaw.Holds("crown:gamma=1", c, elision: false);
    [Property] public void CrownIbp(NetworkCase c) => SoundnessLaw.Holds("crown-ibp", c);
    [Property] public void CrownIbpSoftGamma10(NetworkCase c) => SoundnessLaw.Holds("crown-ibp:gamma=10", c);
}
