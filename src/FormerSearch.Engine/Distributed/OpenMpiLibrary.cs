using System.Runtime.InteropServices;

namespace FormerSearch.Engine.Distributed;

/// <summary>
/// The few calls of Open MPI's C library (<c>libmpi.so.40</c>, Debian's <c>libopenmpi-dev</c>/<c>openmpi-bin</c>) data-parallel
/// training makes. Open MPI's handles (<c>MPI_COMM_WORLD</c>, <c>MPI_FLOAT</c>, <c>MPI_SUM</c>) are the addresses of its
/// exported globals and <c>MPI_IN_PLACE</c> is <c>(void*)1</c>. (MPI.NET 1.4.0 was tried first: it binds MS-MPI's integer
/// handles, works with MPICH only, and crashes in <c>MPI_Comm_rank</c> with Open MPI.)
/// </summary>
internal static unsafe class OpenMpiLibrary
{
    /// <summary>Environment variable naming Open MPI's library when it is not on the loader's path (e.g. <c>/opt/openmpi/lib/libmpi.so.40</c>).</summary>
    public const string LibraryVariable = "FORMERSEARCH_LIBMPI";

    private const string DefaultLibrary = "libmpi.so.40";
    private const int RtldNow = 2, RtldGlobal = 0x100;
    private static readonly nint InPlace = 1;

    private static nint s_commWorld, s_float, s_sum;
    private static delegate* unmanaged<int*, byte***, int> s_init;
    private static delegate* unmanaged<int> s_finalize;
    private static delegate* unmanaged<nint, int, int> s_abort;
    private static delegate* unmanaged<nint, int*, int> s_commRank, s_commSize;
    private static delegate* unmanaged<nint, nint, int, nint, nint, nint, int> s_allreduce;
    private static delegate* unmanaged<nint, int, nint, int, nint, int> s_bcast;
    private static delegate* unmanaged<nint, int> s_barrier;

    [DllImport("libc", EntryPoint = "dlopen")]
    private static extern nint DlOpen(string file, int mode);

    /// <summary>Loads the library and calls <c>MPI_Init</c>.</summary>
    /// <exception cref="UserInputException">The library cannot be loaded (Open MPI is not installed).</exception>
    /// <exception cref="InvalidOperationException">MPI_Init failed.</exception>
    public static void Init()
    {
        // RTLD_GLOBAL: Open MPI's plug-ins (dlopen'ed MCA components) resolve libmpi's symbols through the global scope.
        string name = Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } given ? given : DefaultLibrary;
        if (DlOpen(name, RtldNow | RtldGlobal) == 0 || !NativeLibrary.TryLoad(name, out nint library))
            throw new UserInputException($"This run was started by mpirun but Open MPI's library {name} cannot be loaded; install openmpi-bin and libopenmpi-dev (apt-get install openmpi-bin libopenmpi-dev) or name it in {LibraryVariable}.");
        nint Export(string name) => NativeLibrary.GetExport(library, name);
        s_commWorld = Export("ompi_mpi_comm_world");
        s_float = Export("ompi_mpi_float");
        s_sum = Export("ompi_mpi_op_sum");
        s_init = (delegate* unmanaged<int*, byte***, int>)Export("MPI_Init");
        s_finalize = (delegate* unmanaged<int>)Export("MPI_Finalize");
        s_abort = (delegate* unmanaged<nint, int, int>)Export("MPI_Abort");
        s_commRank = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_rank");
        s_commSize = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_size");
        s_allreduce = (delegate* unmanaged<nint, nint, int, nint, nint, nint, int>)Export("MPI_Allreduce");
        s_bcast = (delegate* unmanaged<nint, int, nint, int, nint, int>)Export("MPI_Bcast");
        s_barrier = (delegate* unmanaged<nint, int>)Export("MPI_Barrier");
        Check(s_init(null, null), "MPI_Init"); // null argc/argv is allowed since MPI-2
    }

    public static int Rank()
    {
        int rank;
        Check(s_commRank(s_commWorld, &rank), "MPI_Comm_rank");
        return rank;
    }

    public static int Size()
    {
        int size;
        Check(s_commSize(s_commWorld, &size), "MPI_Comm_size");
        return size;
    }

    public static void AllreduceSum(Span<float> values)
    {
        fixed (float* p = values) Check(s_allreduce(InPlace, (nint)p, values.Length, s_float, s_sum, s_commWorld), "MPI_Allreduce");
    }

    public static void Broadcast(Span<float> values, int root)
    {
        fixed (float* p = values) Check(s_bcast((nint)p, values.Length, s_float, root, s_commWorld), "MPI_Bcast");
    }

    public static void Barrier() => Check(s_barrier(s_commWorld), "MPI_Barrier");

    public static void FinalizeMpi() => Check(s_finalize(), "MPI_Finalize");

    /// <summary>Ends every rank of the run with <paramref name="code"/> (mpirun's exit code).</summary>
    public static void Abort(int code) => s_abort(s_commWorld, code);

    // Open MPI's default error handler aborts the job before a call returns an error; a code here means a handler was changed.
    private static void Check(int code, string call)
    {
        if (code != 0) throw new InvalidOperationException($"{call} returned MPI error {code}.");
    }
}
