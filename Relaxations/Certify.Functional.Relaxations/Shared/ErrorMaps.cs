using Certify.Functional.Bounds;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Shared;

/// <summary>
/// Linear maps of <see cref="ErrorTerms"/>. A diagonal block of k generators becomes dense in one step: the k unit
/// vectors are mapped once ([k, …] or per example [B, k, …]) and scaled by the coefficients [B, k] — never an
/// identity-sized product. The result is a single dense block.
/// </summary>
public static class ErrorMaps
{
    /// <summary>Applies a linear map (no bias) to every generator.</summary>
    /// <param name="errors">The generators, over neurons of shape [B, …in].</param>
    /// <param name="mapDense">Maps a dense block [B, m, …in] to [B, m, …out].</param>
    /// <param name="unitImages">Maps positions (int64 [k]) to the images of those unit vectors: [k, …out] shared by
    /// the batch, or [B, k, …out] with <c>PerExample</c> set (a per-example weight).</param>
    public static ErrorTerms Linear(ErrorTerms errors, Func<Tensor, Tensor> mapDense, Func<Tensor, (Tensor Images, bool PerExample)> unitImages)
    {
        var blocks = new List<Tensor>(errors.Diagonal.Count + 1);
        if (errors.Dense is not null) blocks.Add(mapDense(errors.Dense));
        foreach (var d in errors.Diagonal)
        {
            var (images, perExample) = unitImages(d.Positions);
            var shared = perExample ? images : images.unsqueeze(0);                // [B or 1, k, …out]
            var view = d.Coefficients.view([.. d.Coefficients.shape, .. Enumerable.Repeat(1L, (int)shared.dim() - 2)]);
            blocks.Add(shared * view);
        }
        return blocks.Count switch
        {
            0 => ErrorTerms.None,
            1 => new ErrorTerms(blocks[0], []),
            _ => new ErrorTerms(cat(blocks, 1), []),
        };
    }

    /// <summary>Multiplies every generator elementwise by <paramref name="scale"/> [B, …] (a ReLU slope or a
    /// normalization), keeping diagonal blocks diagonal.</summary>
    public static ErrorTerms Scale(ErrorTerms errors, Tensor scale)
    {
        var dense = errors.Dense is null ? null : errors.Dense * scale.unsqueeze(1);
        var flat = scale.flatten(1);
        var diagonal = errors.Diagonal.Select(d => new DiagonalErrors(d.Positions, d.Coefficients * flat.index_select(1, d.Positions))).ToList();
        return new ErrorTerms(dense, diagonal);
    }
}
