using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Gemm;

/// <summary>
/// GEMM in managed code (the fallback when no BLAS library loads): op(A) and op(B) are packed into
/// cache-sized, zero-padded panels (Goto/BLIS blocking: NC columns of B in L3, an MC × KC block of A in
/// L2, one KC × NR micro-panel of B in L1) and multiplied by a register-blocked SIMD micro-kernel —
/// 12×32 with AVX-512, 6×16 with AVX2 + FMA, 4×4 scalar otherwise.
/// Large products are split over <see cref="ParallelRunner"/> by whole column (or row) panels of C;
/// K is never split and the KC blocking is fixed, so every element of C is computed by the same
/// sequence of operations for any thread count and the result is bit-identical.
/// </summary>
public sealed unsafe partial class ManagedGemm : IGemmProvider
{
    // Below this many multiply-adds, waking a second thread costs more than it saves.
    private const long ParallelThreshold = 96L * 96 * 96;

    /// <summary>The managed GEMM using the widest micro-kernel this CPU supports.</summary>
    public static readonly ManagedGemm Instance = new(BestKernel());

    private readonly delegate*<int, float*, float*, float*, int, float, float, int, int, float*, void> _kernel;
    private readonly int _mr, _nr, _mc, _kc, _nc;

    internal ManagedGemm(GemmKernelKind kind)
    {
        Kind = kind;
        switch (kind)
        {
            case GemmKernelKind.Vector512:
                _kernel = &GemmMicroKernel.Kernel512;
                (_mr, _nr, _mc, _kc, _nc) = (12, 32, 192, 256, 2048);
                var tune = Environment.GetEnvironmentVariable("TUNE_GEMM");
                if (tune is not null) { var t = tune.Split(','); (_mc, _kc, _nc) = (int.Parse(t[0]), int.Parse(t[1]), int.Parse(t[2])); }
                break;
            case GemmKernelKind.Vector256:
                _kernel = &GemmMicroKernel.Kernel256;
                (_mr, _nr, _mc, _kc, _nc) = (6, 16, 144, 256, 2048);
                break;
            default:
                _kernel = &GemmMicroKernel.KernelScalar;
                (_mr, _nr, _mc, _kc, _nc) = (4, 4, 128, 256, 1024);
                break;
        }
    }

    public string Name => "managed";

    /// <summary>The micro-kernel's instruction set (tests run every kind this CPU can execute).</summary>
    internal GemmKernelKind Kind { get; }

    internal static GemmKernelKind BestKernel() =>
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? GemmKernelKind.Vector512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? GemmKernelKind.Vector256
        : GemmKernelKind.Scalar;

    /// <inheritdoc cref="IGemmProvider.Sgemm"/>
    /// <exception cref="ArgumentException">A leading dimension is smaller than its matrix's width or a span is too short.</exception>
    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        GemmArguments.Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }

        fixed (float* pa = a, pb = b, pc = c)
        {
            var job = new RangeJob(this, transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            int threads = ParallelRunner.Threads;
            int nPanels = (n + _nr - 1) / _nr;
            int mPanels = (m + _mr - 1) / _mr;
            if (threads == 1 || (long)m * n * k < ParallelThreshold || (nPanels < 2 && mPanels < 2))
            {
                job.Compute(0, m, 0, n);
            }
            else
            {
                // Split the larger side: each range packs all of the other operand, so this keeps the
                // duplicated packing on the smaller matrix. One range per thread keeps that duplication low.
                job.SplitColumns = nPanels >= 2 && (n >= m || mPanels < 2);
                int panels = job.SplitColumns ? nPanels : mPanels;
                ParallelRunner.For(panels, (panels + threads - 1) / threads, job);
            }
        }
    }

    // C = beta · C, the whole product when k == 0 or alpha == 0 (beta == 0 clears, so NaN does not survive).
    internal static void ScaleC(int m, int n, float beta, Span<float> c, int ldc)
    {
        if (beta == 1) return;
        for (int i = 0; i < m; i++)
        {
            Span<float> row = c.Slice(i * ldc, n);
            if (beta == 0) row.Clear();
            else TensorPrimitives.Multiply(row, beta, row);
        }
    }

    /// <summary>Single-threaded blocked GEMM on one rectangle of C; pointers are at its element (0, 0).</summary>
    private void Blocked(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        int mr = _mr, nr = _nr;
        var ws = GemmWorkspace.ForCurrentThread(_mc * _kc, _kc * _nc, mr * nr);
        float* packA = ws.A, packB = ws.B, tile = ws.Tile;
        var kernel = _kernel;

        for (int jc = 0; jc < n; jc += _nc)
        {
            int nc = Math.Min(_nc, n - jc);
            for (int pc = 0; pc < k; pc += _kc)
            {
                int kc = Math.Min(_kc, k - pc);
                float* bBlock = transB ? b + (nint)jc * ldb + pc : b + (nint)pc * ldb + jc;
                GemmPacking.PackB(transB, bBlock, ldb, kc, nc, nr, packB);
                // Later K blocks accumulate onto what the first one wrote.
                float betaBlock = pc == 0 ? beta : 1f;

                for (int ic = 0; ic < m; ic += _mc)
                {
                    int mc = Math.Min(_mc, m - ic);
                    float* aBlock = transA ? a + (nint)pc * lda + ic : a + (nint)ic * lda + pc;
                    GemmPacking.PackA(transA, aBlock, lda, mc, kc, mr, packA);

                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int nrr = Math.Min(nr, nc - jr);
                        float* bPanel = packB + (nint)jr * kc;
                        float* cColumn = c + (nint)ic * ldc + jc + jr;
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int mrr = Math.Min(mr, mc - ir);
                            kernel(kc, packA + (nint)ir * kc, bPanel, cColumn + (nint)ir * ldc, ldc,
                                alpha, betaBlock, mrr, nrr, tile);
                        }
                    }
                }
            }
        }
    }
}
