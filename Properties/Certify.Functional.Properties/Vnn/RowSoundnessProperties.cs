using Certify.Functional.Properties.Arbitraries;
using Certify.Functional.Properties.Laws;
using FsCheck.Xunit;

namespace Certify.Functional.Properties.Vnn;

/// <summary>The row law (<see cref="RowLaw"/>: any box, any linear rows, the bound a VNN-LIB proof uses) for every
/// relaxation the VNN-LIB runner may use.</summary>
[Collection(LawCollection.Name)]
[Properties(Arbitrary = [typeof(NetworkArbitraries)], MaxTest = 150, QuietOnSuccess = true, Replay = "(1618033988,2718281829)")]
public sealed class RowSoundnessProperties : TorchTest
{
    [Property] public void Box(NetworkCase c) => RowLaw.Holds("box", c);
    [Property] public void Zono(NetworkCase c) => RowLaw.Holds("zono", c);
    [Property] public void HBox(NetworkCase c) => RowLaw.Holds("hbox", c);
    [Property] public void Crown(NetworkCase c) => RowLaw.Holds("crown", c);
    [Property] public void CrownNoIntersection(NetworkCase c) => RowLaw.Holds("crown:intersect=0", c);
    [Property] public void CrownIbp(NetworkCase c) => RowLaw.Holds("crown-ibp", c);
    [Property(MaxTest = 30)] public void AlphaCrown(NetworkCase c) => RowLaw.Holds("alpha-crown:steps=5", c);
    [Property(MaxTest = 15)] public void AlphaCrownIntermediate(NetworkCase c) => RowLaw.Holds("alpha-crown:steps=3,intermediate=1", c);
    [Property(MaxTest = 30)] public void AlphaCrownIntersected(NetworkCase c) => RowLaw.Holds("alpha-crown:steps=5,intersect=1", c);
    [Property(MaxTest = 15)] public void AlphaCrownIntersectedIntermediate(NetworkCase c) => RowLaw.Holds("alpha-crown:steps=3,intermediate=1,intersect=1", c);
}
