using System.Runtime.InteropServices;

namespace Certify.Functional.Runtime.Cluster;

/// <summary>
/// The ranks of an MPI job through a thin P/Invoke layer over libmpi's C API: the nine calls the project needs
/// (Init_thread, Comm_rank, Comm_size, Allreduce, Bcast, Gather(v), Barrier, Abort, Finalize). Works with Open MPI
/// (<c>libmpi.so.40</c>, handles are addresses of exported objects) and MPICH-ABI libraries (<c>libmpi.so.12</c>, handles
/// are integer constants); <c>CERTIFY_MPI_LIBRARY</c> names another file. MPI.NET 1.4.0, the NuGet binding, binds to
/// Microsoft MPI's <c>msmpi.dll</c> with MPICH-ABI integer handles: redirected to Open MPI's libmpi it crashes in
/// MPI_Init (segmentation fault, docs/cluster.md), so it is not used.
/// <para>Sums are a reduce to rank 0 followed by a broadcast, so that every rank gets the same bits (MPI_Allreduce does not
/// promise that for every algorithm and rank count), which keeps the replicated weights of data-parallel training
/// identical on every rank.</para>
/// </summary>
public sealed class MpiCluster : Cluster
{
    const string Lib = "certify-mpi";              // resolved to the loaded libmpi by the import resolver below
    const int ThreadSerialized = 2;               // MPI_THREAD_SERIALIZED: calls from any thread, one at a time

    static IntPtr library;
    static Handles handles = null!;
    readonly int rank, size;
    readonly string flavour;
    bool finalized;

    MpiCluster(int rank, int size, string flavour)
    {
        this.rank = rank;
        this.size = size;
        this.flavour = flavour;
    }

    /// <inheritdoc/>
    public override int Rank => rank;

    /// <inheritdoc/>
    public override int Size => size;

    /// <inheritdoc/>
    public override string Description => $"MPI ({flavour}), {size} ranks";

    static string[] Candidates => Environment.GetEnvironmentVariable("CERTIFY_MPI_LIBRARY") is { Length: > 0 } named
        ? [named] : ["libmpi.so.40", "libmpi.so.12", "libmpi.so"];

    /// <summary>Which libmpi this process would use ("libmpi.so.40 (Open MPI)"), or null when none loads; MPI is not
    /// initialized.</summary>
    public static string? Available()
    {
        foreach (var name in Candidates)
        {
            if (!NativeLibrary.TryLoad(name, out var handle)) continue;
            bool openMpi = NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out _);
            return $"{name} ({(openMpi ? "Open MPI" : "MPICH ABI")})";
        }
        return null;
    }

    /// <summary>Loads libmpi and initializes MPI; an error message (which file, why) when that is impossible.</summary>
    public static (MpiCluster? Cluster, string? Error) Start()
    {
        var candidates = Candidates;
        var failures = new List<string>();
        foreach (var name in candidates)
        {
            if (NativeLibrary.TryLoad(name, out var handle)) { library = handle; break; }
            failures.Add(name);
        }
        if (library == IntPtr.Zero)
            return (null, $"could not load libmpi (tried {string.Join(", ", failures)}); install Open MPI (Debian: apt install openmpi-bin) " +
                          "or set CERTIFY_MPI_LIBRARY to the library's path");
        bool openMpi = NativeLibrary.TryGetExport(library, "ompi_mpi_comm_world", out _);
        handles = openMpi ? Handles.OpenMpi(library) : Handles.Mpich;
        try { NativeLibrary.SetDllImportResolver(typeof(MpiCluster).Assembly, (name, _, _) => name == Lib ? library : IntPtr.Zero); }
        catch (InvalidOperationException) { }     // already set (a second Start in one process)

        // Open MPI catches SIGSEGV/SIGBUS/SIGFPE/SIGILL to print backtraces; .NET turns SIGSEGV into NullReferenceException
        // and must keep those signals. The variable is read by libmpi from the C environment (Environment.SetEnvironmentVariable
        // changes only .NET's copy).
        if (openMpi) SetEnv("OMPI_MCA_opal_signal", "", 0);
        // A rank waiting for the others (a round of verification, a slow instance) yields its core instead of spinning:
        // measured on 2 shared cores, a spinning idle rank slowed the working one by 1.5× (docs/cluster.md).
        if (openMpi) SetEnv("OMPI_MCA_mpi_yield_when_idle", "1", 0);
        int provided = 0;
        int code = MPI_Init_thread(IntPtr.Zero, IntPtr.Zero, ThreadSerialized, ref provided);
        if (code != 0) return (null, $"MPI_Init_thread failed with error {code}");
        int r = 0, s = 0;
        Check(MPI_Comm_rank(handles.CommWorld, ref r), "MPI_Comm_rank");
        Check(MPI_Comm_size(handles.CommWorld, ref s), "MPI_Comm_size");
        return (new MpiCluster(r, s, openMpi ? "Open MPI" : "MPICH ABI"), null);
    }

    /// <inheritdoc/>
    public override void Sum(double[] values) => Sum(values, handles.Double);

    /// <inheritdoc/>
    public override void Sum(float[] values) => Sum(values, handles.Float);

    // Reduce to rank 0, then broadcast: the same bits on every rank.
    void Sum<T>(T[] values, IntPtr type) where T : unmanaged
    {
        if (values.Length == 0) return;
        var total = new T[values.Length];
        Check(MPI_Reduce(ref Bytes(values), ref Bytes(total), values.Length, type, handles.Sum, 0, handles.CommWorld), "MPI_Reduce");
        if (IsRoot) total.CopyTo(values, 0);
        Check(MPI_Bcast(ref Bytes(values), values.Length, type, 0, handles.CommWorld), "MPI_Bcast");
    }

    // The first byte of an array (pinned by the marshaller for the duration of the call).
    static ref byte Bytes<T>(T[] array) where T : unmanaged => ref MemoryMarshal.GetReference(MemoryMarshal.AsBytes(array.AsSpan()));

    /// <inheritdoc/>
    public override byte[] Broadcast(byte[] fromRoot)
    {
        int[] length = [IsRoot ? fromRoot.Length : 0];
        Check(MPI_Bcast(ref Bytes(length), 1, handles.Int, 0, handles.CommWorld), "MPI_Bcast");
        var buffer = IsRoot ? fromRoot : new byte[length[0]];
        if (length[0] > 0) Check(MPI_Bcast(ref Bytes(buffer), length[0], handles.Byte, 0, handles.CommWorld), "MPI_Bcast");
        return buffer;
    }

    /// <inheritdoc/>
    public override byte[][]? Gather(byte[] mine)
    {
        int[] length = [mine.Length];
        var lengths = new int[size];
        Check(MPI_Gather(length, 1, handles.Int, lengths, 1, handles.Int, 0, handles.CommWorld), "MPI_Gather");
        var offsets = new int[size];
        long total = 0;
        for (int i = 0; i < size; i++)
        {
            offsets[i] = (int)total;
            total += lengths[i];
        }
        if (IsRoot && total > int.MaxValue) throw new InvalidOperationException($"MPI_Gatherv: {total} bytes are more than one message can hold");
        var all = new byte[IsRoot ? total : 0];
        Check(MPI_Gatherv(mine, mine.Length, handles.Byte, all, lengths, offsets, handles.Byte, 0, handles.CommWorld), "MPI_Gatherv");
        return IsRoot ? Enumerable.Range(0, size).Select(i => all.AsSpan(offsets[i], lengths[i]).ToArray()).ToArray() : null;
    }

    /// <inheritdoc/>
    public override void Barrier() => Check(MPI_Barrier(handles.CommWorld), "MPI_Barrier");

    /// <inheritdoc/>
    public override void Abort(int exitCode) => MPI_Abort(handles.CommWorld, exitCode);

    /// <inheritdoc/>
    public override void Dispose()
    {
        if (!finalized)
        {
            finalized = true;
            MPI_Finalize();
        }
        base.Dispose();
    }

    // MPI's default error handler aborts the job on any failure; a non-zero code only comes with MPI_ERRORS_RETURN.
    static void Check(int code, string call)
    {
        if (code != 0) throw new InvalidOperationException($"{call} failed with MPI error {code}");
    }

    /// <summary>The predefined handles: addresses of exported objects in Open MPI, integer constants in the MPICH ABI
    /// (passed in a pointer-sized argument: the callee reads the low 32 bits of the register).</summary>
    sealed record Handles(IntPtr CommWorld, IntPtr Double, IntPtr Float, IntPtr Int, IntPtr Byte, IntPtr Sum)
    {
        public static Handles OpenMpi(IntPtr lib) => new(Export(lib, "ompi_mpi_comm_world"), Export(lib, "ompi_mpi_double"),
            Export(lib, "ompi_mpi_float"), Export(lib, "ompi_mpi_int"), Export(lib, "ompi_mpi_byte"), Export(lib, "ompi_mpi_op_sum"));

        // mpi.h of MPICH (and every library of its ABI initiative: Intel MPI, MVAPICH, Cray MPICH).
        public static Handles Mpich { get; } = new(0x44000000, 0x4c00080b, 0x4c00040a, 0x4c000405, 0x4c00010d, 0x58000003);

        static IntPtr Export(IntPtr lib, string name) => NativeLibrary.GetExport(lib, name);
    }

    [DllImport("libc", EntryPoint = "setenv")]
    static extern int SetEnv(string name, string value, int overwrite);

    [DllImport(Lib)] static extern int MPI_Init_thread(IntPtr argc, IntPtr argv, int required, ref int provided);
    [DllImport(Lib)] static extern int MPI_Comm_rank(IntPtr comm, ref int rank);
    [DllImport(Lib)] static extern int MPI_Comm_size(IntPtr comm, ref int size);
    [DllImport(Lib)] static extern int MPI_Reduce(ref byte send, ref byte receive, int count, IntPtr type, IntPtr op, int root, IntPtr comm);
    [DllImport(Lib)] static extern int MPI_Bcast(ref byte buffer, int count, IntPtr type, int root, IntPtr comm);
    [DllImport(Lib)] static extern int MPI_Gather(int[] send, int sendCount, IntPtr sendType, int[] receive, int receiveCount, IntPtr receiveType, int root, IntPtr comm);
    [DllImport(Lib)] static extern int MPI_Gatherv(byte[] send, int sendCount, IntPtr sendType, byte[] receive, int[] counts, int[] offsets, IntPtr receiveType, int root, IntPtr comm);
    [DllImport(Lib)] static extern int MPI_Barrier(IntPtr comm);
    [DllImport(Lib)] static extern int MPI_Abort(IntPtr comm, int code);
    [DllImport(Lib)] static extern int MPI_Finalize();
}
