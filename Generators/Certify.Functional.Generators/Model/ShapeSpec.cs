using System.Globalization;
using System.Linq;

namespace Certify.Functional.Generators.Model;

/// <summary>The shape of one example without the batch dimension: [C, H, W] or [N] (mirrors Core's <c>Shape</c>).</summary>
internal sealed record ShapeSpec(EquatableArray<int> Dims)
{
    public static ShapeSpec Of(params int[] dims) => new(dims.ToEquatableArray());

    public int Rank => Dims.Count;
    public long Size => Dims.Aggregate(1L, (a, d) => a * d);
    public bool IsImage => Rank == 3;
    public bool IsFlat => Rank == 1;

    /// <summary>"1×28×28", as Core's <c>Shape.ToString</c>.</summary>
    public override string ToString() => string.Join("×", Dims.Select(d => d.ToString(CultureInfo.InvariantCulture)));
}
