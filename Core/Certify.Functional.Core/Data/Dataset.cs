using Certify.Functional.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Data;

/// <summary>
/// An in-memory labelled image dataset: <see cref="Count"/> examples of shape <see cref="Shape"/> ([C, H, W]) as
/// uint8 pixels, plus one label byte per example. Immutable by convention: nothing in the library writes to
/// <see cref="Pixels"/> or <see cref="Labels"/> after construction, and callers must not either. Tensors are made
/// per batch by <see cref="Batch"/>; the dataset itself holds no tensors.
/// </summary>
public sealed record Dataset
{
    static readonly float[] Scaled = Enumerable.Range(0, 256).Select(b => b / 255f).ToArray();

    /// <summary>Creates a dataset; throws <see cref="ArgumentException"/> when the arrays disagree with
    /// <paramref name="shape"/> (loaders check this first and report CountMismatch instead).</summary>
    public Dataset(string name, string source, Shape shape, byte[] pixels, byte[] labels, Normalization normalization)
    {
        if (pixels.LongLength != labels.LongLength * shape.Size)
            throw new ArgumentException($"Dataset '{name}' from {source}: {labels.Length} labels of shape {shape} need " +
                                        $"{labels.LongLength * shape.Size} pixel bytes, got {pixels.Length}.", nameof(pixels));
        (Name, Source, Shape, Pixels, Labels, Normalization) = (name, source, shape, pixels, labels, normalization);
    }

    /// <summary>Catalogue name, e.g. "mnist".</summary>
    public string Name { get; init; }
    /// <summary>Where the data came from (a directory, or "embedded mnist-subset"), for messages and logs.</summary>
    public string Source { get; init; }
    /// <summary>Shape of one example, e.g. 1×28×28.</summary>
    public Shape Shape { get; }
    /// <summary>All pixels, [N, C, H, W] uint8, example after example.</summary>
    public byte[] Pixels { get; }
    /// <summary>All labels, [N].</summary>
    public byte[] Labels { get; }
    /// <summary>The dataset's per-channel normalization constants (applied by the network, not here).</summary>
    public Normalization Normalization { get; init; }
    /// <summary>Number of examples.</summary>
    public int Count => Labels.Length;

    /// <summary>
    /// The examples at <paramref name="indices"/> as fresh tensors: X [B, C, H, W] float32 with values byte/255 in
    /// [0, 1], and Y [B] int64. The caller's dispose scope owns both. Throws
    /// <see cref="ArgumentOutOfRangeException"/> for an index outside [0, Count).
    /// </summary>
    public (Tensor X, Tensor Y) Batch(ReadOnlySpan<int> indices, Device? device = null)
    {
        int size = checked((int)Shape.Size);
        var x = new float[checked(indices.Length * size)];
        var y = new long[indices.Length];
        for (int b = 0; b < indices.Length; b++)
        {
            int i = indices[b];
            if ((uint)i >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Index {i} at batch position {b} is outside dataset '{Name}' of {Count} examples.");
            y[b] = Labels[i];
            var source = Pixels.AsSpan(i * size, size);
            var target = x.AsSpan(b * size, size);
            for (int j = 0; j < size; j++) target[j] = Scaled[source[j]];
        }
        return (OnDevice(torch.tensor(x, Shape.Batched(indices.Length), dtype: ScalarType.Float32), device),
                OnDevice(torch.tensor(y, [indices.Length], dtype: ScalarType.Int64), device));
    }

    // torch.tensor(…, device) would leave its CPU staging tensor to the caller's scope; dispose it right away.
    static Tensor OnDevice(Tensor cpu, Device? device)
    {
        if (device is null || device.type == DeviceType.CPU) return cpu;
        var moved = cpu.to(device);
        cpu.Dispose();
        return moved;
    }

    /// <summary>The first <paramref name="n"/> examples (all of them when <paramref name="n"/> ≥ Count, none when
    /// n ≤ 0), sharing nothing with this dataset.</summary>
    public Dataset Take(int n)
    {
        int k = Math.Clamp(n, 0, Count);
        int size = checked((int)Shape.Size);
        return new(Name, Source, Shape, Pixels.AsSpan(0, k * size).ToArray(), Labels.AsSpan(0, k).ToArray(), Normalization);
    }

    /// <summary>How many examples carry each label: entry c counts label c. The array has at least 10 entries
    /// (every catalogue dataset has ten classes) and more if a label ≥ 10 occurs.</summary>
    public int[] LabelCounts()
    {
        var counts = new int[Math.Max(10, Labels.Length == 0 ? 0 : Labels.Max() + 1)];
        foreach (var label in Labels) counts[label]++;
        return counts;
    }
}
