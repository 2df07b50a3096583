using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Bounds;

/// <summary>What is bounded at the output. <see cref="DiffSpec"/> merges the logit differences into the last
/// layer (elision); <see cref="EyeSpec"/> bounds every logit and forms differences afterwards (looser).</summary>
public abstract record Spec(Tensor Labels)
{
    /// <summary>Differences z_y − z_j for j ≠ y in increasing j, merged into the last layer.</summary>
    public static DiffSpec Diffs(Tensor labels, int classes) => new(labels, OtherClasses(labels, classes));

    /// <summary>Per-logit bounds.</summary>
    public static EyeSpec Eye(Tensor labels) => new(labels);

    /// <summary>Lower bounds of the rows of <paramref name="matrix"/> [B, M, K] applied to the logits (any linear
    /// specification, e.g. a VNN-LIB property's C·y), merged into the last layer like the differences.</summary>
    public static RowSpec Rows(Tensor matrix) => new(zeros(matrix.shape[0], dtype: int64, device: matrix.device), matrix);

    /// <summary>True when the specification is merged into the last layer and bounded from below only (differences,
    /// rows); false for per-logit bounds (both sides).</summary>
    public bool LowerOnly => this is DiffSpec or RowSpec;

    /// <summary>C [B, K−1, K] with rows e_y − e_j for every j ≠ y in increasing j (relaxations.md §2, the reference's sign).</summary>
    public static Tensor DiffMatrix(Tensor labels, int classes) => DiffMatrix(labels, OtherClasses(labels, classes), classes);

    /// <summary>C as above from the other classes already listed (<see cref="DiffSpec.Others"/>).</summary>
    public static Tensor DiffMatrix(Tensor labels, Tensor others, int classes)
    {
        var eye = torch.eye(classes, dtype: float32, device: labels.device);
        return eye.index_select(0, labels).unsqueeze(1) - eye.index_select(0, others.flatten()).view(others.shape[0], classes - 1, classes);
    }

    /// <summary>For every example the classes j ≠ y in increasing order, int64 [B, K−1].</summary>
    public static Tensor OtherClasses(Tensor labels, int classes)
    {
        var j = arange(classes - 1, dtype: int64, device: labels.device).unsqueeze(0);  // [1, K−1]
        return j + j.ge(labels.unsqueeze(1)).to(int64);
    }
}

/// <summary>Bounds on the K−1 differences z_y − z_j (j ≠ y, increasing j): row j of C is e_y − e_{Others[b, j]}.</summary>
/// <param name="Labels">True classes y, int64 [B].</param>
/// <param name="Others">The other classes in increasing order, int64 [B, K−1].</param>
public sealed record DiffSpec(Tensor Labels, Tensor Others) : Spec(Labels)
{
    /// <summary>Number of classes K.</summary>
    public long Classes => Others.shape[1] + 1;
}

/// <summary>Bounds on every logit.</summary>
public sealed record EyeSpec(Tensor Labels) : Spec(Labels);

/// <summary>Lower bounds of M linear rows of the logits: row m of <paramref name="Matrix"/> [B, M, K] is c_m, bounded as
/// c_m·z (merged into the last Dense layer: W' = C·W, b' = C·b). <paramref name="Labels"/> are unused (zeros).</summary>
public sealed record RowSpec(Tensor Labels, Tensor Matrix) : Spec(Labels);
