namespace Certify.Functional.Runtime.Cluster;

/// <summary>Collecting work done in shards: every rank hands in the items it computed, each with its place in the whole
/// (an image, a batch, an instance), and rank 0 gets all of them in that order, as one process would have produced them.</summary>
public static class Exchange
{
    /// <summary>All ranks' items ordered by index on rank 0 (null on the others); a collective call. The items travel as
    /// <paramref name="write"/> writes them and come back through <paramref name="read"/> (write doubles and floats as
    /// they are: BinaryWriter keeps their bits, so rank 0 sees exactly what the rank computed).</summary>
    public static IReadOnlyList<(int Index, T Item)>? Gather<T>(this Cluster cluster, IEnumerable<(int Index, T Item)> mine,
        Action<BinaryWriter, T> write, Func<BinaryReader, T> read)
    {
        if (!cluster.IsParallel) return mine.OrderBy(m => m.Index).ToList();
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            var list = mine.ToList();
            writer.Write(list.Count);
            foreach (var (index, item) in list)
            {
                writer.Write(index);
                write(writer, item);
            }
        }
        var all = cluster.Gather(buffer.ToArray());
        if (all is null) return null;
        var items = new List<(int Index, T Item)>();
        foreach (var bytes in all)
        {
            using var reader = new BinaryReader(new MemoryStream(bytes));
            int count = reader.ReadInt32();
            for (int i = 0; i < count; i++)
            {
                int index = reader.ReadInt32();
                items.Add((index, read(reader)));
            }
        }
        return items.OrderBy(m => m.Index).ToList();
    }

    /// <summary>Whether any rank says <paramref name="mine"/> (e.g. "stop after this step"); a collective call, the same
    /// answer on every rank.</summary>
    public static bool Any(this Cluster cluster, bool mine)
    {
        if (!cluster.IsParallel) return mine;
        double[] flag = [mine ? 1 : 0];
        cluster.Sum(flag);
        return flag[0] > 0;
    }
}
