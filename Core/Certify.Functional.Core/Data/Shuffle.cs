namespace Certify.Functional.Data;

/// <summary>
/// Deterministic epoch orders. The order of epoch e depends only on (seed, e), never on earlier epochs or on a
/// global generator, so a run resumed at epoch e sees exactly the order the uninterrupted run would have seen.
/// The generator is SplitMix64 (Steele, Lea, Flood 2014), chosen because it is tiny, fast, passes BigCrush and
/// needs no state beyond one 64-bit word; neither <see cref="Random"/> (whose algorithm may change between .NET
/// versions) nor torch's generator (global, device-dependent) is used.
/// </summary>
public static class Shuffle
{
    /// <summary>A uniformly random permutation of 0..<paramref name="count"/>−1 (Fisher–Yates with unbiased
    /// bounded draws), a pure function of (<paramref name="seed"/>, <paramref name="epoch"/>).</summary>
    public static int[] Permutation(int count, ulong seed, int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        // Two mixing rounds decorrelate neighbouring (seed, epoch) pairs before the stream starts.
        ulong state = Mix(seed ^ Mix(0xC0FFEE_5EED_0000UL + (ulong)(uint)epoch));
        for (int i = count - 1; i > 0; i--)
        {
            int j = (int)Below(ref state, (ulong)i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>Consecutive slices of <paramref name="order"/> of <paramref name="batchSize"/> indices (the last one
    /// may be smaller); every index appears in exactly one batch. Each batch is a fresh array.</summary>
    public static IEnumerable<int[]> Batches(int[] order, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return Slices(order, batchSize);
    }

    static IEnumerable<int[]> Slices(int[] order, int batchSize)
    {
        for (int start = 0; start < order.Length; start += batchSize)
            yield return order.AsSpan(start, Math.Min(batchSize, order.Length - start)).ToArray();
    }

    /// <summary>A uniform draw in [0, bound) by Lemire's multiply-and-reject method (no modulo bias).</summary>
    static ulong Below(ref ulong state, ulong bound)
    {
        ulong high = Math.BigMul(Next(ref state), bound, out ulong low);
        if (low < bound)
        {
            ulong threshold = (0UL - bound) % bound;
            while (low < threshold) high = Math.BigMul(Next(ref state), bound, out low);
        }
        return high;
    }

    static ulong Next(ref ulong state) => Mix(state += 0x9E3779B97F4A7C15UL);

    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
