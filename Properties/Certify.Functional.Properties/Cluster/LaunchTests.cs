using Certify.Functional.Runtime.Cluster;

namespace Certify.Functional.Properties.Cluster;

/// <summary>What the launchers' environments say (Open MPI, MPICH/PMI, Slurm), the threads a rank may use, and how work
/// is dealt: pure functions, no MPI needed.</summary>
public class LaunchTests
{
    static Launch Detect(params (string Name, string Value)[] variables) =>
        Launch.Detect(name => variables.FirstOrDefault(v => v.Name == name).Value);

    [Fact]
    public void A_plain_process_needs_no_mpi()
    {
        var launch = Detect();
        Assert.False(launch.NeedsMpi);
        Assert.Equal(1, launch.Ranks);
        // An sbatch script without srun: Slurm's variables but no job step.
        Assert.False(Detect(("SLURM_NTASKS", "4"), ("SLURM_PROCID", "0")).NeedsMpi);
        // mpirun -np 1: nothing to share.
        Assert.False(Detect(("OMPI_COMM_WORLD_SIZE", "1")).NeedsMpi);
    }

    [Fact]
    public void Each_launcher_is_recognised_with_its_rank_counts()
    {
        var ompi = Detect(("OMPI_COMM_WORLD_SIZE", "8"), ("OMPI_COMM_WORLD_LOCAL_SIZE", "4"));
        Assert.Equal((8, 4, true), (ompi.Ranks, ompi.LocalRanks, ompi.NeedsMpi));
        Assert.Equal("OMPI_COMM_WORLD_SIZE=8", ompi.Evidence);
        var pmi = Detect(("PMI_SIZE", "6"), ("MPI_LOCALNRANKS", "3"));
        Assert.Equal((6, 3), (pmi.Ranks, pmi.LocalRanks));
        var srun = Detect(("SLURM_STEP_NUM_TASKS", "6"), ("SLURM_PROCID", "5"), ("SLURM_STEP_TASKS_PER_NODE", "2(x3)"));
        Assert.Equal((6, 2, "srun"), (srun.Ranks, srun.LocalRanks, srun.Launcher));
        Assert.False(Detect(("OMPI_COMM_WORLD_SIZE", "two")).NeedsMpi);
    }

    [Theory]
    [InlineData(1, 1, 2, 1)]          // the default: one thread
    [InlineData(2, 1, 2, 2)]          // one process may use both cores
    [InlineData(2, 2, 2, 1)]          // two ranks on two cores: one thread each, never 2 × 2 spinning threads
    [InlineData(8, 3, 16, 5)]
    [InlineData(4, 32, 16, 1)]        // more ranks than cores: still one
    public void Threads_per_rank_never_oversubscribe_the_machine(int asked, int localRanks, int cores, int expected) =>
        Assert.Equal(expected, new Launch("test", localRanks, localRanks, null).ThreadsPerRank(asked, cores));

    [Fact]
    public void Shards_cover_a_batch_once_in_order_and_round_robin_deals_every_item_once()
    {
        foreach (int size in new[] { 1, 2, 3, 5 })
        foreach (int count in new[] { 0, 1, 2, 7, 75, 100 })
        {
            var ranks = Enumerable.Range(0, size).Select(r => new FakeCluster(r, size)).ToList();
            var shards = ranks.Select(c => c.Shard(count)).ToList();
            Assert.Equal(0, shards[0].Start);
            for (int r = 1; r < size; r++) Assert.Equal(shards[r - 1].Start + shards[r - 1].Length, shards[r].Start);
            Assert.Equal(count, shards.Sum(s => s.Length));
            Assert.True(shards.Max(s => s.Length) - shards.Min(s => s.Length) <= 1);
            Assert.Equal(Enumerable.Range(0, count), ranks.SelectMany(c => c.Mine(count)).Order());
        }
    }

    [MpiFact]
    public void Started_by_mpirun_without_a_loadable_libmpi_is_one_clear_line_and_exit_2()
    {
        var missing = new Dictionary<string, string> { ["CERTIFY_MPI_LIBRARY"] = "/nonexistent/libmpi.so.40" };
        var (code, _, err) = MpiRun.Certify(2, ["presets"], timeoutSeconds: 120, environment: missing);
        Assert.NotEqual(0, code);
        Assert.Contains("error CF2050: this process was started by mpirun (Open MPI) (OMPI_COMM_WORLD_SIZE=2) but MPI cannot be used: " +
            "could not load libmpi (tried /nonexistent/libmpi.so.40)", err);
        // One process needs no MPI at all, whatever the variable says.
        var single = MpiRun.Single(["presets"], timeoutSeconds: 120, environment: missing);
        Assert.True(single.Code == 0, single.Err);
    }

    sealed class FakeCluster(int rank, int size) : Functional.Runtime.Cluster.Cluster
    {
        public override int Rank => rank;
        public override int Size => size;
        public override string Description => "fake";
        public override void Sum(double[] values) => throw new NotSupportedException();
        public override void Sum(float[] values) => throw new NotSupportedException();
        public override byte[] Broadcast(byte[] fromRoot) => throw new NotSupportedException();
        public override byte[][]? Gather(byte[] mine) => throw new NotSupportedException();
        public override void Barrier() => throw new NotSupportedException();
        public override void Abort(int exitCode) => throw new NotSupportedException();
    }
}
