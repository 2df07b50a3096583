namespace Certify.Functional.Runtime.Cluster;

/// <summary>
/// The processes of one job (docs/cluster.md): a single process, or the ranks of an MPI job started by <c>mpirun</c> or
/// Slurm's <c>srun</c>. Everything the project exchanges between ranks goes through these few collective calls; every rank
/// must make the same calls in the same order (as in MPI). Rank 0 (<see cref="IsRoot"/>) is the one that writes files and
/// prints progress.
/// </summary>
public abstract class Cluster : IDisposable
{
    /// <summary>This process's rank, 0 ≤ rank &lt; <see cref="Size"/>.</summary>
    public abstract int Rank { get; }

    /// <summary>The number of ranks.</summary>
    public abstract int Size { get; }

    /// <summary>Rank 0: it writes results, checkpoints and progress.</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>More than one rank.</summary>
    public bool IsParallel => Size > 1;

    /// <summary>What the job is, for progress lines and results.json (e.g. "single process", "MPI (Open MPI), 2 ranks").</summary>
    public abstract string Description { get; }

    /// <summary>Element-wise sums over the ranks of <paramref name="values"/>, the same on every rank (rank 0's sum,
    /// broadcast: identical bits everywhere whatever the reduction order).</summary>
    public abstract void Sum(double[] values);

    /// <summary>Element-wise sums over the ranks of <paramref name="values"/>, the same bits on every rank.</summary>
    public abstract void Sum(float[] values);

    /// <summary>Rank 0's bytes on every rank (others pass anything, e.g. an empty array).</summary>
    public abstract byte[] Broadcast(byte[] fromRoot);

    /// <summary>Every rank's bytes, in rank order, on rank 0; null on the other ranks.</summary>
    public abstract byte[][]? Gather(byte[] mine);

    /// <summary>Returns when every rank has called it.</summary>
    public abstract void Barrier();

    /// <summary>Ends every rank of the job with <paramref name="exitCode"/> (a rank that cannot go on alone).</summary>
    public abstract void Abort(int exitCode);

    /// <summary>Ends this process's part in the job (MPI_Finalize).</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <summary>Whether the ranks agree on <paramref name="value"/> (e.g. the run folder and the step a run starts from): a
    /// collective call; true on every rank or false on every rank.</summary>
    public bool Agree(string value)
    {
        if (!IsParallel) return true;
        var mine = System.Text.Encoding.UTF8.GetBytes(value);
        var root = Broadcast(mine);
        double[] differs = [root.AsSpan().SequenceEqual(mine) ? 0 : 1];
        Sum(differs);
        return differs[0] == 0;
    }

    /// <summary>The one process of a job without MPI.</summary>
    public static Cluster Single { get; } = new SingleProcess();

    /// <summary>Items <paramref name="count"/> dealt round-robin: the indices i with i mod Size = Rank (work of uneven size,
    /// e.g. batches of a test set or VNN-COMP instances, spreads evenly).</summary>
    public IEnumerable<int> Mine(int count)
    {
        for (int i = Rank; i < count; i += Size) yield return i;
    }

    /// <summary>This rank's contiguous part [start, start + length) of <paramref name="count"/> items (a shard of a batch):
    /// rank r gets ⌊r·count/Size⌋ … ⌊(r+1)·count/Size⌋.</summary>
    public (int Start, int Length) Shard(int count)
    {
        int start = (int)((long)Rank * count / Size), end = (int)((long)(Rank + 1) * count / Size);
        return (start, end - start);
    }

    sealed class SingleProcess : Cluster
    {
        public override int Rank => 0;
        public override int Size => 1;
        public override string Description => "single process";
        public override void Sum(double[] values) { }
        public override void Sum(float[] values) { }
        public override byte[] Broadcast(byte[] fromRoot) => fromRoot;
        public override byte[][] Gather(byte[] mine) => [mine];
        public override void Barrier() { }
        public override void Abort(int exitCode) => Environment.Exit(exitCode);
        public override void Dispose() { }
    }
}
