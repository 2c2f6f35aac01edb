namespace FormerSearch.Engine.Kernels.Gemm;

/// <summary>GEMM through OpenBLAS's <c>cblas_sgemm</c>; see <see cref="OpenBlasLibrary"/> for loading.</summary>
public sealed unsafe class OpenBlasGemm : IGemmProvider
{
    private OpenBlasGemm() { }

    /// <summary>The OpenBLAS provider, or null when the library cannot be loaded.</summary>
    public static OpenBlasGemm? TryCreate() => OpenBlasLibrary.EnsureLoaded() ? new OpenBlasGemm() : null;

    /// <summary>Products up to this many multiply-adds (100³) take the managed kernel.</summary>
    internal const long SmallProduct = 100L * 100 * 100;

    public string Name => "openblas";

    /// <inheritdoc cref="IGemmProvider.Sgemm"/>
    /// <exception cref="ArgumentException">A leading dimension is smaller than its matrix's width or a span is too short.</exception>
    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        // Validation is what stands between a wrong size and native code writing out of bounds.
        GemmArguments.Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            // cblas insists on lda >= max(1, k) even when k == 0 and prints an error otherwise; the
            // product is just C = beta · C.
            ManagedGemm.ScaleC(m, n, beta, c, ldc);
            return;
        }

        if ((Threading.ParallelRunner.IsInsideLoop && !OpenBlasLibrary.IsSerialCaller) || (long)m * n * k <= SmallProduct)
        {
            // Two kinds of product go to the managed kernel: those inside a parallel loop (one per batch of a batched
            // matmul), which run on several threads at once — OpenBLAS's threaded build is not made to be entered
            // concurrently, unless it runs single-threaded for in-process replicas (OpenBlasLibrary.Serial) — and small ones, where OpenBLAS's thread hand-off costs more than the product (a
            // BurgerFormer supernet step ran 670 → 800 images/s with this limit).
            ManagedGemm.Instance.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        fixed (float* pa = a, pb = b, pc = c)
        {
            OpenBlasLibrary.Sgemm(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }
}
