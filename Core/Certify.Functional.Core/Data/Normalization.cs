using Certify.Functional.Layers;

namespace Certify.Functional.Data;

/// <summary>Per-channel normalization constants of a dataset, (x − Mean[c]) / Std[c] on pixels scaled to [0, 1]
/// (training.md §4.4). Equality is by value.</summary>
public sealed record Normalization(IReadOnlyList<double> Mean, IReadOnlyList<double> Std)
{
    /// <summary>Constants for a one-channel dataset.</summary>
    public static Normalization Gray(double mean, double std) => new([mean], [std]);

    /// <summary>Number of channels the constants describe.</summary>
    public int Channels => Mean.Count;

    /// <summary>The Normalize layer that applies these constants.</summary>
    public NormalizeDeclaration ToDeclaration() => new(Mean, Std);

    /// <inheritdoc/>
    public bool Equals(Normalization? other) =>
        other is not null && Mean.SequenceEqual(other.Mean) && Std.SequenceEqual(other.Std);

    /// <inheritdoc/>
    public override int GetHashCode() =>
        Mean.Concat(Std).Aggregate(Mean.Count, (h, v) => HashCode.Combine(h, v));

    /// <summary>"mean (0.4914, 0.4822, 0.4465), std (0.2023, 0.1994, 0.2010)".</summary>
    public override string ToString() =>
        $"mean ({string.Join(", ", Mean.Select(m => m.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}), " +
        $"std ({string.Join(", ", Std.Select(s => s.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))})";
}
