namespace Certify.Functional.Runtime.Cluster;

/// <summary>How this process was started, read from the environment that MPI launchers set: Open MPI's <c>mpirun</c>
/// (OMPI_COMM_WORLD_*), MPICH's Hydra (PMI_*), PMIx (PMIX_RANK) and Slurm's <c>srun</c> (SLURM_STEP_NUM_TASKS). No launcher:
/// <see cref="Ranks"/> is 1 and nothing of MPI is loaded.</summary>
/// <param name="Launcher">Which launcher's variables were found ("mpirun (Open MPI)", "srun", …), or null.</param>
/// <param name="Ranks">The job's ranks as the launcher announces them (1 without a launcher).</param>
/// <param name="LocalRanks">Ranks of the job on this machine (threads per rank are capped to cores / local ranks).</param>
/// <param name="Evidence">The variable that told, e.g. "OMPI_COMM_WORLD_SIZE=2", for error messages.</param>
public sealed record Launch(string? Launcher, int Ranks, int LocalRanks, string? Evidence)
{
    /// <summary>A plain process.</summary>
    public static Launch None { get; } = new(null, 1, 1, null);

    /// <summary>Started by a launcher with more than one rank: MPI is needed.</summary>
    public bool NeedsMpi => Ranks > 1;

    /// <summary>The launch this process's environment describes.</summary>
    public static Launch Detect() => Detect(Environment.GetEnvironmentVariable);

    /// <summary>The launch an environment describes (<paramref name="variable"/> reads one variable, null when unset).</summary>
    public static Launch Detect(Func<string, string?> variable)
    {
        int? Number(string name) => int.TryParse(variable(name), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
        // "2(x3),1" → 2: Slurm's tasks per node, this node's count first.
        int? SlurmPerNode(string name) => variable(name) is { } text && text.Split(',')[0].Split('(')[0] is var first
            && int.TryParse(first, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

        if (Number("OMPI_COMM_WORLD_SIZE") is { } ompi)
            return new("mpirun (Open MPI)", ompi, Number("OMPI_COMM_WORLD_LOCAL_SIZE") ?? ompi, $"OMPI_COMM_WORLD_SIZE={ompi}");
        if (Number("PMI_SIZE") is { } pmi)
            return new("an MPI launcher (PMI)", pmi, Number("MPI_LOCALNRANKS") ?? SlurmPerNode("SLURM_STEP_TASKS_PER_NODE") ?? pmi, $"PMI_SIZE={pmi}");
        if (Number("SLURM_STEP_NUM_TASKS") is { } slurm && variable("SLURM_PROCID") is not null)
            return new("srun", slurm, SlurmPerNode("SLURM_STEP_TASKS_PER_NODE") ?? slurm, $"SLURM_STEP_NUM_TASKS={slurm}");
        return None;
    }

    /// <summary>Intra-op threads for one rank: the <paramref name="asked"/> count, capped so that the ranks on this machine
    /// together use at most its <paramref name="cores"/> (intra-op threads spinning on an oversubscribed machine are 100×
    /// slower, not 2×).</summary>
    public int ThreadsPerRank(int asked, int cores) => Math.Max(1, Math.Min(asked, cores / Math.Max(1, LocalRanks)));
}

/// <summary>Opening the job's <see cref="Cluster"/>.</summary>
public static class Clusters
{
    /// <summary>The cluster of <paramref name="launch"/>: <see cref="Cluster.Single"/> without a launcher (or with one rank:
    /// nothing of MPI is loaded), else MPI; a failure names the launcher's variable and what is missing.</summary>
    public static LanguageExt.Fin<Cluster> Open(Launch launch)
    {
        if (!launch.NeedsMpi) return Cluster.Single;
        var (cluster, error) = MpiCluster.Start();
        if (cluster is null)
            return LanguageExt.Common.Error.New(Errors.ErrorCodes.ClusterUnavailable,
                $"this process was started by {launch.Launcher} ({launch.Evidence}) but MPI cannot be used: {error}.");
        if (cluster.Size != launch.Ranks)
        {
            int size = cluster.Size;
            cluster.Dispose();
            return LanguageExt.Common.Error.New(Errors.ErrorCodes.ClusterUnavailable,
                $"{launch.Launcher} announced {launch.Ranks} ranks ({launch.Evidence}) but MPI sees {size}: was this libmpi ({Environment.GetEnvironmentVariable("CERTIFY_MPI_LIBRARY") ?? "libmpi.so.40"}) the launcher's?");
        }
        return cluster;
    }
}
