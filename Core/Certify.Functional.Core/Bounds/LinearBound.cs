using static TorchSharp.torch;

namespace Certify.Functional.Bounds;

/// <summary>
/// One side of a back-substituted bound: the quantity (K rows per example) is bounded by A·z + Const, where z is
/// the output of the layer reached so far. A [S, K, …shape] with S = 1 (shared by the batch) or B; Const [S or B, K]
/// or null (0). A null A stands for the identity (the quantity is z itself) and is never materialised.
/// With <see cref="Columns"/> (int64 [B, n']) A is compacted to the listed neurons of each example ([B, K, n']); all
/// other columns are zero (dead ReLUs), so the next Dense layer multiplies only the rows it needs.
/// </summary>
public sealed record LinearBound(Tensor? A, Tensor? Const, Tensor? Columns = null)
{
    /// <summary>The identity: the bound of z is z.</summary>
    public static LinearBound Identity { get; } = new(null, null);

    /// <summary>Const + <paramref name="term"/> (either may be null = 0).</summary>
    public static Tensor? Add(Tensor? constant, Tensor? term) => constant is null ? term : term is null ? constant : constant + term;
}

/// <summary>The CROWN/DeepPoly ReLU relaxations of relaxations.md §3.7.1 (the reference's <c>--crown_variant</c> names).</summary>
public enum CrownVariant
{
    /// <summary>Adaptive lower slope (0 if u &lt; −l else 1): CROWN / DeepPoly.</summary>
    Adaptive,
    /// <summary>"0": lower slope 0.</summary>
    Zero,
    /// <summary>"1": lower slope 1.</summary>
    One,
    /// <summary>"0-c": as 0, active neurons' lower line the constant l.</summary>
    ZeroC,
    /// <summary>"1-c": as 1, dead neurons' lower line x.</summary>
    OneC,
    /// <summary>"lower-tria": lower 0, upper x − l.</summary>
    LowerTria,
    /// <summary>"upper-tria": lower x, upper u.</summary>
    UpperTria,
    /// <summary>"lower-tria-c": lower-tria, dead upper x − l, active lower l.</summary>
    LowerTriaC,
    /// <summary>"upper-tria-c": upper-tria, dead lower x, active upper u.</summary>
    UpperTriaC,
    /// <summary>Soft lower slope σ(γ(l/u − u/l)).</summary>
    Soft,
}

/// <summary>Options of the back-substitution domains.</summary>
/// <param name="Variant">The ReLU relaxation.</param>
/// <param name="Gamma">γ of <see cref="CrownVariant.Soft"/>.</param>
/// <param name="Unrounded">For the "-C" variants: use the computed float32 bounds as the lines' constants as the reference
/// does, without rounding them outward (defect-compatible, for reproducing its numbers; its bounds can exceed reachable
/// values by rounding errors, so it never certifies).</param>
/// <param name="IntersectIbp">Intersect every back-substituted intermediate (ReLU input) bound with IBP's, IBP itself
/// propagated from the intersected boxes (auto_LiRPA's CROWN; verification's <c>crown</c>). Off for the paper's
/// <c>deeppoly</c> and for every training domain.</param>
public sealed record CrownOptions(CrownVariant Variant = CrownVariant.Adaptive, double Gamma = 1.0, bool Unrounded = false, bool IntersectIbp = false);
