namespace Certify.Functional.Data;

/// <summary>The records of one or more CIFAR-10 binary batches: <paramref name="Labels"/> ([N]) and
/// <paramref name="Pixels"/> ([N, 3, 32, 32] uint8, channel-major R, G, B planes of 32×32, row-major).</summary>
public sealed record CifarBatch(byte[] Pixels, byte[] Labels)
{
    /// <summary>Number of records.</summary>
    public int Count => Labels.Length;
}
