using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Gemm;

/// <summary>
/// Finds and loads OpenBLAS at run time and binds the few entry points the engine uses as unmanaged
/// function pointers. Loading happens at most once per process.
/// </summary>
/// <remarks>
/// Debian's OpenBLAS is a DYNAMIC_ARCH build that picks its kernels when the library is loaded, from
/// CPUID or from the <c>OPENBLAS_CORETYPE</c> environment variable. A build older than the CPU may not
/// recognise it and fall back to the AVX2 "Haswell" kernels, about half the speed of its AVX-512
/// "SkylakeX" ones. So, unless the user chose a core type, the loader sets
/// <c>OPENBLAS_CORETYPE=SkylakeX</c> in the native environment before loading whenever the CPU has
/// AVX-512F. It must be the C runtime's environment (<c>setenv</c>): on Unix
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> only changes .NET's own copy, which
/// OpenBLAS's <c>getenv</c> never sees. A user's own <c>OPENBLAS_CORETYPE</c> is respected, even one
/// naming slower kernels than the CPU could run; <c>FORMER_OPENBLAS_CORETYPE</c> overrides it.
/// </remarks>
public static unsafe partial class OpenBlasLibrary
{
    /// <summary>Environment variable that overrides the core type: <c>auto</c> (force nothing) or a name.</summary>
    public const string CoreTypeVariable = "FORMER_OPENBLAS_CORETYPE";

    // OpenBLAS's own variable, read once by the library when it is loaded.
    private const string OpenBlasCoreTypeVariable = "OPENBLAS_CORETYPE";

    // The AVX-512 core type forced on AVX-512F CPUs. Cooperlake (SkylakeX plus BF16) runs the same sgemm
    // kernel and measured the same here; SkylakeX is the name every OpenBLAS since 0.3.x accepts.
    private const string Avx512CoreType = "SkylakeX";
    private const string ThreadTimeoutVariable = "OPENBLAS_THREAD_TIMEOUT";

    // OpenBLAS's dynamic-architecture core types whose sgemm uses AVX-512.
    private static readonly string[] s_avx512CoreTypes = ["SkylakeX", "Cooperlake", "SapphireRapids"];

    // Sonames first (the dynamic loader's search path, honouring LD_LIBRARY_PATH), then Debian's and
    // other distributions' locations for the alternatives it may not have registered.
    private static readonly string[] s_candidates =
    [
        "libopenblas.so.0",
        "libopenblas.so",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-serial/libopenblas.so.0",
        "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib64/libopenblas.so.0",
        "/usr/lib/libopenblas.so.0",
        "libopenblas.dylib",
        "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
        "/usr/local/opt/openblas/lib/libopenblas.dylib",
        "libopenblas.dll",
        "openblas",
    ];

    private static readonly object s_lock = new();
    private static bool s_attempted;
    private static int s_pendingThreads;
    private static int s_serialScopes;
    [ThreadStatic] private static bool t_serialCaller;
    private static string? s_coreTypeOverride = Environment.GetEnvironmentVariable(CoreTypeVariable);

    private static delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> s_sgemm;
    private static delegate* unmanaged<int, void> s_setNumThreads;
    private static delegate* unmanaged<int> s_getNumThreads;
    private static delegate* unmanaged<byte*> s_getCoreName;
    private static delegate* unmanaged<byte*> s_getConfig;

    /// <summary>Whether OpenBLAS has been loaded (attempting the load if that has not happened yet).</summary>
    public static bool IsAvailable => EnsureLoaded();

    /// <summary>The file the library was loaded from, or null.</summary>
    public static string? LoadedFrom { get; private set; }

    /// <summary>
    /// The inherited <c>OPENBLAS_CORETYPE</c> that named non-AVX-512 kernels on an AVX-512 CPU and was
    /// replaced, or null when none was.
    /// </summary>
    public static string? ReplacedCoreType { get; private set; }

    /// <summary>
    /// The core type to force when the library is loaded: null means the engine's default (AVX-512
    /// kernels on AVX-512F CPUs unless <c>OPENBLAS_CORETYPE</c> is set), <c>auto</c> means the engine
    /// forces nothing (OpenBLAS's own detection, or the user's <c>OPENBLAS_CORETYPE</c>), anything else is
    /// passed as <c>OPENBLAS_CORETYPE</c>. Initialised from
    /// <c>FORMER_OPENBLAS_CORETYPE</c>; the core type is fixed once loaded, so measuring another one
    /// takes another process.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set after the library was loaded.</exception>
    public static string? CoreTypeOverride
    {
        get => s_coreTypeOverride;
        set
        {
            lock (s_lock)
            {
                if (s_attempted)
                    throw new InvalidOperationException("The OpenBLAS core type can only be chosen before OpenBLAS is first used.");
                s_coreTypeOverride = value;
            }
        }
    }

    /// <summary>The kernel family OpenBLAS runs (e.g. "SkylakeX", "Haswell"), or null when not loaded.</summary>
    public static string? CoreName => EnsureLoaded() && s_getCoreName != null ? ReadString(s_getCoreName()) : null;

    /// <summary>OpenBLAS's build configuration string, or null when not loaded.</summary>
    public static string? Config => EnsureLoaded() && s_getConfig != null ? ReadString(s_getConfig()) : null;

    /// <summary>Threads OpenBLAS uses, or 0 when not loaded.</summary>
    public static int Threads => EnsureLoaded() && s_getNumThreads != null ? s_getNumThreads() : 0;

    /// <summary>
    /// Sets the threads OpenBLAS uses. Does not load the library: before it is loaded the value is kept
    /// and applied at load (without a call, the load uses <see cref="ParallelRunner.Threads"/>).
    /// </summary>
    public static void SetThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        lock (s_lock)
        {
            s_pendingThreads = threads;
            // Inside a serial scope the count applies when the last scope ends.
            if (s_attempted && s_serialScopes == 0 && s_setNumThreads != null) s_setNumThreads(threads);
        }
    }

    /// <summary>
    /// Until the returned scope is disposed, OpenBLAS computes every call on its caller's thread alone, so that the threads
    /// of in-process replicas, which each run their own loops inline, may call it at the same time (its threaded build must
    /// not be entered concurrently; with one thread a call never reaches its thread server, and its buffer pool is locked).
    /// Scopes may overlap; the thread count set before (or meanwhile) comes back when the last ends.
    /// </summary>
    internal static SerialScope Serial()
    {
        EnsureLoaded();
        lock (s_lock)
        {
            if (s_serialScopes++ == 0 && s_setNumThreads != null) s_setNumThreads(1);
        }
        return new SerialScope();
    }

    /// <summary>Marks this thread as one that may call OpenBLAS from inside its own inline loops (a replica's, within a <see cref="Serial"/> scope that outlives it).</summary>
    internal static void MarkSerialCaller() => t_serialCaller = true;

    /// <summary>Whether this thread was marked by <see cref="MarkSerialCaller"/>.</summary>
    internal static bool IsSerialCaller => t_serialCaller;

    /// <summary>Ends one <see cref="Serial"/> scope.</summary>
    internal readonly struct SerialScope : IDisposable
    {
        public void Dispose()
        {
            lock (s_lock)
            {
                if (--s_serialScopes == 0 && s_setNumThreads != null) s_setNumThreads(s_pendingThreads > 0 ? s_pendingThreads : ParallelRunner.Threads);
            }
        }
    }

    /// <summary>Raw <c>cblas_sgemm</c> (row-major); arguments must already be validated.</summary>
    internal static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        const int RowMajor = 101, NoTrans = 111, Trans = 112;
        s_sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k,
            alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>Loads the library on first call; returns whether it is usable.</summary>
    internal static bool EnsureLoaded()
    {
        if (Volatile.Read(ref s_attempted)) return s_sgemm != null;
        lock (s_lock)
        {
            if (!s_attempted)
            {
                try { Load(); }
                finally { Volatile.Write(ref s_attempted, true); }
            }
        }
        return s_sgemm != null;
    }

    private static void Load()
    {
        ChooseCoreType();
        LimitIdleSpinning();
        foreach (string candidate in s_candidates)
        {
            if (!NativeLibrary.TryLoad(candidate, out nint handle)) continue;
            if (!NativeLibrary.TryGetExport(handle, "cblas_sgemm", out nint sgemm))
            {
                // Some other BLAS under an OpenBLAS name: keep looking.
                NativeLibrary.Free(handle);
                continue;
            }
            s_sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
            s_setNumThreads = (delegate* unmanaged<int, void>)Export(handle, "openblas_set_num_threads");
            s_getNumThreads = (delegate* unmanaged<int>)Export(handle, "openblas_get_num_threads");
            s_getCoreName = (delegate* unmanaged<byte*>)Export(handle, "openblas_get_corename");
            s_getConfig = (delegate* unmanaged<byte*>)Export(handle, "openblas_get_config");
            LoadedFrom = candidate;
            // OpenBLAS starts with one thread per core; the engine's thread knob decides instead.
            if (s_setNumThreads != null) s_setNumThreads(s_pendingThreads > 0 ? s_pendingThreads : ParallelRunner.Threads);
            return;
        }
    }

    private static nint Export(nint handle, string name) =>
        NativeLibrary.TryGetExport(handle, name, out nint address) ? address : 0;

    private static void ChooseCoreType()
    {
        string? requested = s_coreTypeOverride;
        if (string.Equals(requested, "auto", StringComparison.OrdinalIgnoreCase)) return;
        if (string.IsNullOrEmpty(requested))
        {
            // On an AVX-512 CPU, use AVX-512 kernels unless OPENBLAS_CORETYPE already names some. A
            // value naming weaker kernels is replaced: machine images set OPENBLAS_CORETYPE=Haswell
            // (seen on this project's machines) and would halve GEMM speed without anyone choosing
            // it. FORMER_OPENBLAS_CORETYPE is the way to force a core type deliberately.
            if (!Avx512F.IsSupported) return;
            string? inherited = Environment.GetEnvironmentVariable(OpenBlasCoreTypeVariable);
            if (!string.IsNullOrEmpty(inherited))
            {
                foreach (var name in s_avx512CoreTypes)
                    if (string.Equals(inherited, name, StringComparison.OrdinalIgnoreCase)) return;
                ReplacedCoreType = inherited;
            }
            requested = Avx512CoreType;
        }
        SetNativeEnvironment(OpenBlasCoreTypeVariable, requested);
    }

    /// <summary>
    /// OpenBLAS's threads busy-wait about 2^28 cycles (~0.1 s) after each call by default, taking a core
    /// from the managed loops that run between GEMMs on a 2-core machine; 2^16 cycles (~15 µs) still
    /// bridges back-to-back GEMMs. Measured with <c>former bench ops</c>: 54 ms → 39 ms over all cases.
    /// A value the user set is kept.
    /// </summary>
    private static void LimitIdleSpinning()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ThreadTimeoutVariable)))
            SetNativeEnvironment(ThreadTimeoutVariable, "16");
    }

    private static void SetNativeEnvironment(string name, string value)
    {
        // Windows' CRT-free loader reads the process environment block, which .NET does update.
        if (OperatingSystem.IsWindows()) Environment.SetEnvironmentVariable(name, value);
        else SetEnv(name, value, 1);
    }

    private static string? ReadString(byte* text) => text == null ? null : Marshal.PtrToStringUTF8((nint)text)?.Trim();

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
