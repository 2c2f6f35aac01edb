using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Gemm;

/// <summary>
/// The engine's GEMM: the provider chosen on first use. <c>FORMER_BLAS=managed|openblas</c> forces one;
/// otherwise <see cref="ManagedGemm"/> on CPUs where its AVX-512 kernel runs (faster than OpenBLAS's AVX-512 kernels
/// at every training product of PoolFormer-S12, DeiT-Tiny and the mini supernets measured on Zen 4, and no second
/// thread pool spinning beside the engine's), else OpenBLAS when it loads (see <see cref="OpenBlasLibrary"/>), else
/// the managed GEMM.
/// </summary>
public static class Gemm
{
    /// <summary>Environment variable forcing the provider: <c>managed</c> or <c>openblas</c>.</summary>
    public const string ProviderVariable = "FORMER_BLAS";

    private static readonly Lazy<OpenBlasGemm?> s_openBlas = new(OpenBlasGemm.TryCreate);
    private static IGemmProvider? s_default;

    /// <summary>
    /// The provider <see cref="Sgemm"/> uses. Chosen on first read; may be replaced (tests, benchmarks).
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// <c>FORMER_BLAS</c> names an unknown provider, or forces OpenBLAS and it cannot be loaded.
    /// </exception>
    public static IGemmProvider Default
    {
        get => Volatile.Read(ref s_default) ?? ChooseOnce();
        set => Volatile.Write(ref s_default, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>The managed SIMD GEMM (always available).</summary>
    public static ManagedGemm Managed => ManagedGemm.Instance;

    /// <summary>The OpenBLAS GEMM, or null when the library cannot be loaded. Reading it loads the library.</summary>
    public static OpenBlasGemm? OpenBlas => s_openBlas.Value;

    /// <summary>OpenBLAS's kernel family (e.g. "SkylakeX"), or null when OpenBLAS is not loaded; for reports.</summary>
    public static string? OpenBlasCoreName => OpenBlas is null ? null : OpenBlasLibrary.CoreName;

    /// <summary>
    /// Sets the threads BLAS uses (the managed GEMM follows <see cref="ParallelRunner.Threads"/>).
    /// Does not load OpenBLAS; if it loads later, it starts with this count.
    /// </summary>
    public static void SetThreads(int threads) => OpenBlasLibrary.SetThreads(threads);

    /// <inheritdoc cref="IGemmProvider.Sgemm"/>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
        => Default.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    // Racing first readers may both choose; they choose the same, and only one result is kept.
    private static IGemmProvider ChooseOnce()
    {
        Interlocked.CompareExchange(ref s_default, Choose(Environment.GetEnvironmentVariable(ProviderVariable)), null);
        return s_default!;
    }

    /// <summary>
    /// The provider for a <c>FORMER_BLAS</c> value (null or empty: managed with its AVX-512 kernel, else OpenBLAS if it
    /// loads, else managed).
    /// </summary>
    internal static IGemmProvider Choose(string? forced)
    {
        forced = forced?.Trim();
        if (string.IsNullOrEmpty(forced))
            return Managed.Kind == GemmKernelKind.Vector512 ? Managed : (IGemmProvider?)OpenBlas ?? Managed;
        if (forced.Equals("managed", StringComparison.OrdinalIgnoreCase)) return Managed;
        if (forced.Equals("openblas", StringComparison.OrdinalIgnoreCase))
        {
            return OpenBlas ?? throw new InvalidOperationException(
                $"{ProviderVariable}=openblas but the OpenBLAS library could not be loaded; install it with `apt-get install libopenblas0-pthread`.");
        }
        throw new InvalidOperationException($"{ProviderVariable}={forced} is not a GEMM provider; use `managed` or `openblas`.");
    }
}
