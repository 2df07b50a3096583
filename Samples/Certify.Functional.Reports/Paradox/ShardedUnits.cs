using Certify.Functional.Runtime.Cluster;

namespace Certify.Functional.Reports.Paradox;

/// <summary>What one unit of a study measured: flags (certified per image) and numbers (counts, widths, Ŝ …), passed
/// between ranks as they are (the bits rank 0 sees are the bits the rank computed).</summary>
/// <param name="Flags">Per-image flags, or empty.</param>
/// <param name="Numbers">Numbers, or empty.</param>
sealed record UnitOutcome(bool[] Flags, double[] Numbers)
{
    /// <summary>Numbers only.</summary>
    public static UnitOutcome Of(params double[] numbers) => new([], numbers);

    /// <summary>Writes it for <see cref="Read"/>.</summary>
    public static void Write(BinaryWriter w, UnitOutcome o)
    {
        w.Write(o.Flags.Length);
        foreach (var f in o.Flags) w.Write(f);
        w.Write(o.Numbers.Length);
        foreach (var n in o.Numbers) w.Write(n);
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    public static UnitOutcome Read(BinaryReader r)
    {
        var flags = new bool[r.ReadInt32()];
        for (int i = 0; i < flags.Length; i++) flags[i] = r.ReadBoolean();
        var numbers = new double[r.ReadInt32()];
        for (int i = 0; i < numbers.Length; i++) numbers[i] = r.ReadDouble();
        return new(flags, numbers);
    }
}

/// <summary>An independent piece of a study (one cell of the cross matrix, one LP run, one property measurement): its
/// estimated cost (seconds, roughly: only the balance between ranks depends on it) and the work.</summary>
sealed record StudyUnit(double Cost, Func<UnitOutcome> Run);

/// <summary>Independent units split across the ranks of a job: dealt longest first to the least-loaded rank (a pure
/// function of the costs, the same on every rank), each rank runs its units in list order, and rank 0 gets every outcome
/// in list order. One process runs every unit in list order, as the study did before it was split.</summary>
static class ShardedUnits
{
    /// <summary>The indices of the units this rank runs, ascending: longest-processing-time-first greedy assignment.</summary>
    public static IReadOnlyList<int> Deal(Cluster cluster, IReadOnlyList<double> costs)
    {
        if (!cluster.IsParallel) return Enumerable.Range(0, costs.Count).ToList();
        var load = new double[cluster.Size];
        var mine = new List<int>();
        foreach (int i in Enumerable.Range(0, costs.Count).OrderByDescending(i => costs[i]).ThenBy(i => i))
        {
            int least = 0;
            for (int r = 1; r < load.Length; r++) if (load[r] < load[least]) least = r;
            load[least] += costs[i];
            if (least == cluster.Rank) mine.Add(i);
        }
        mine.Sort();
        return mine;
    }

    /// <summary>Runs this rank's units, stopping before the next one when <paramref name="cancel"/> is set, and gathers
    /// the outcomes: on rank 0 every unit's outcome in list order (null on the others), and whether any rank stopped (the
    /// same answer on every rank: then the outcomes are incomplete). <paramref name="after"/> sees each finished unit on
    /// the rank that ran it. A collective call.</summary>
    public static (UnitOutcome[]? Outcomes, bool Stopped) Run(Cluster cluster, IReadOnlyList<StudyUnit> units, CancellationToken cancel,
        Action<int, UnitOutcome>? after = null)
    {
        var done = new List<(int Index, UnitOutcome Item)>();
        foreach (int i in Deal(cluster, units.Select(u => u.Cost).ToList()))
        {
            if (cancel.IsCancellationRequested) break;
            var outcome = units[i].Run();
            done.Add((i, outcome));
            after?.Invoke(i, outcome);
        }
        var all = cluster.Gather(done, UnitOutcome.Write, UnitOutcome.Read);
        bool stopped = cluster.Any(cancel.IsCancellationRequested);
        return (stopped || all is null ? null : all.Select(a => a.Item).ToArray(), stopped);
    }
}
