using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Gemm;

/// <summary>
/// GEMM in managed code (the fallback when no BLAS library loads): op(A) and op(B) are packed into
/// cache-sized, zero-padded panels (Goto/BLIS blocking: a KC × NC block of B in L3, an MC × KC block of
/// A in L2, one KC × NR micro-panel of B close to L1) and multiplied by a register-blocked SIMD
/// micro-kernel — 14×32 with AVX-512, 6×16 with AVX2 + FMA, 4×4 scalar otherwise. Products below ~64³
/// skip packing (<see cref="GemmSmall"/>).
/// Large products are split over <see cref="ParallelRunner"/> by whole row panels of C (or column panels
/// when A is short), or, for a small C over a long K (a weight gradient), by fixed segments of K summed in order
/// (<see cref="SplitK"/>); the KC blocking and the segments depend on the shape alone, so every element of C is computed
/// by the same sequence of operations for any thread count and the result is bit-identical.
/// </summary>
public sealed unsafe partial class ManagedGemm : IGemmProvider
{
    // Below this many multiply-adds, waking a second thread costs more than it saves.
    private const long ParallelThreshold = 128L * 128 * 128;

    // Up to this many multiply-adds, packing costs more than it saves (measured crossover near 64³).
    private const long SmallThreshold = 64L * 64 * 64;

    // Largest op(B) (in floats) the small path transposes into a scratch copy.
    private const int SmallTransposedB = 64 * 1024;

    /// <summary>The managed GEMM using the widest micro-kernel this CPU supports.</summary>
    public static readonly ManagedGemm Instance = new(BestKernel());

    private readonly delegate*<int, float*, float*, float*, int, float, float, int, int, float*, void> _kernel;

    // The kernels of whole MR-row panels read where A is stored, by rows and transposed (null for the scalar kernel, which
    // always packs).
    private readonly delegate*<int, float*, nint, float*, float*, int, float, float, int, float*, void> _storedAKernel, _storedTransposedAKernel;
    private readonly int _mr, _nr, _mc, _kc, _nc;

    internal ManagedGemm(GemmKernelKind kind)
    {
        Kind = kind;
        switch (kind)
        {
            case GemmKernelKind.Vector512:
                _kernel = &GemmMicroKernel.Kernel512;
                _storedAKernel = &GemmMicroKernel.Kernel512StoredA;
                _storedTransposedAKernel = &GemmMicroKernel.Kernel512StoredTransposedA;
                // 28 accumulators + 2 B vectors + 1 broadcast = 31 of the 32 zmm registers. KC = 512
                // halves the passes over C compared with 256 and measured ~10% faster on Zen 5 although
                // the B micro-panel (64 KB) no longer fits L1; MC × KC of A (392 KB) stays in L2.
                (_mr, _nr, _mc, _kc, _nc) = (14, 32, 196, 512, 2048);
                break;
            case GemmKernelKind.Vector256:
                _kernel = &GemmMicroKernel.Kernel256;
                _storedAKernel = &GemmMicroKernel.Kernel256StoredA;
                _storedTransposedAKernel = &GemmMicroKernel.Kernel256StoredTransposedA;
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
        => Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, SmallThreshold);

    /// <summary>
    /// As <see cref="Sgemm"/> on one thread, without packing whatever the size when the shape allows it: for the many
    /// cache-resident products of a tiled convolution (a few hundred rows, a few dozen columns), where packing both
    /// operands costs about half as much as multiplying them.
    /// </summary>
    internal void SgemmUnpacked(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
        => Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, long.MaxValue);

    private void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc, long smallUpTo)
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
            // Narrow C with a long k would leave the small path with latency-bound scalar chains.
            if (Kind != GemmKernelKind.Scalar && (long)m * n * k <= smallUpTo && (n >= 8 || k <= 64)
                && (!transB || k * n <= SmallTransposedB))
            {
                Small(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
                return;
            }

            int segments = SplitKSegments(m, n, k);
            if (segments > 1)
            {
                SplitK(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, segments);
                return;
            }

            int threads = ParallelRunner.Threads;
            bool parallel = threads > 1 && (long)m * n * k >= ParallelThreshold;
            Blocked(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, parallel ? threads : 1);
        }
    }

    // Unpacked product for tiny sizes; a transposed B is first copied row-major (k × n) into scratch.
    private void Small(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        if (transB)
        {
            float* copy = GemmWorkspace.ForCurrentThread(0, SmallTransposedB, 0).B;
            // Eight columns at a time, as GemmPacking.PackB does: short read streams, 32-byte writes.
            for (int j0 = 0; j0 < n; j0 += 8)
            {
                int columns = Math.Min(8, n - j0);
                int p = 0;
                if (columns == 8 && Avx.IsSupported)
                {
                    for (; p + 8 <= k; p += 8) GemmPacking.Transpose8x8(b + (nint)j0 * ldb + p, ldb, copy + p * n + j0, n);
                }
                for (; p < k; p++)
                {
                    float* src = b + (nint)j0 * ldb + p;
                    float* dst = copy + p * n + j0;
                    for (int j = 0; j < columns; j++) dst[j] = src[(nint)j * ldb];
                }
            }
            b = copy;
            ldb = n;
        }
        int width = Kind == GemmKernelKind.Vector512 ? 16 : 8;
        GemmSmall.Multiply(width, transA, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
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

    /// <summary>
    /// The blocked GEMM. With <paramref name="threads"/> &gt; 1 and enough rows, each KC × NC block of B is packed once by
    /// all threads together into the calling thread's buffer, then the threads share the multiply by row panels (each
    /// packs its own rows of A); with few rows, the threads take column panels of the whole product (<see cref="ColumnsJob"/>).
    /// </summary>
    private void Blocked(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, int threads)
    {
        int mr = _mr, nr = _nr;
        int mPanels = (m + mr - 1) / mr;
        // Rows only make a good split when every thread gets a few panels; short, wide products split columns.
        bool splitRows = SplitsRows(mPanels, threads) || m > _mc;
        if (threads > 1 && !splitRows)
        {
            // One range per thread: each range packs all of A again, and three ranges of two panels for two threads (192
            // columns) left one thread twice the other's work.
            int columnPanels = (n + nr - 1) / nr, ranges = Math.Min(columnPanels, threads);
            ParallelRunner.For(ranges, 1, new ColumnsJob(this, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, columnPanels, ranges));
            return;
        }
        int parts = threads > 1 ? RowParts(mPanels, threads) : 1;
        float* packB = GemmWorkspace.ForCurrentThread(_mc * _kc, _kc * _nc, mr * nr).B;

        for (int jc = 0; jc < n; jc += _nc)
        {
            int nc = Math.Min(_nc, n - jc);
            int nPanels = (nc + nr - 1) / nr;
            for (int pc = 0; pc < k; pc += _kc)
            {
                int kc = Math.Min(_kc, k - pc);
                float* bBlock = Element(b, transB, ldb, pc, jc);
                var pack = new PackBJob(transB, bBlock, ldb, kc, nc, nr, packB);
                // Later K blocks accumulate onto what the first one wrote.
                float betaBlock = pc == 0 ? beta : 1f;
                float* aBlock = Element(a, transA, lda, 0, pc);
                var multiply = new MultiplyJob(this, transA, aBlock, lda, m, kc, packB, nc, alpha, betaBlock, c + jc, ldc, parts);

                if (threads == 1)
                {
                    pack.Invoke(0, nPanels);
                    multiply.Invoke(0, 1);
                }
                else
                {
                    ParallelRunner.For(nPanels, Grain(nPanels, threads), pack);
                    ParallelRunner.For(parts, 1, multiply);
                }
            }
        }
    }

    /// <summary>Where <c>op(M)[row, column]</c> is in <paramref name="m"/>, stored with leading dimension <paramref name="ld"/>, transposed or not.</summary>
    private static float* Element(float* m, bool transposed, int ld, int row, int column) =>
        transposed ? m + (nint)column * ld + row : m + (nint)row * ld + column;

    // Two equal ranges per thread: a whole multiple of the thread count (so no thread is left with one
    // extra range at the end) that still lets a thread that was descheduled for a while catch up.
    private static int Grain(int items, int threads) => Math.Max(1, (items + 2 * threads - 1) / (2 * threads));

    // A row split needs two row panels per part to stay balanced in whole panels (4 panels of 49 rows split 28/21 rows);
    // fewer rows split columns instead, which also halves the B each thread streams.
    private static bool SplitsRows(int mPanels, int threads) => mPanels >= 4 * threads;

    // Parts of a row split: two per thread, as Grain, never more than the panels.
    private static int RowParts(int mPanels, int threads) => Math.Max(1, Math.Min(mPanels, 2 * threads));

    /// <summary>
    /// The first row of part <paramref name="part"/> of <paramref name="parts"/> (<paramref name="m"/> at the end): the multiple
    /// of MR nearest an equal share of the rows. Near-equal panel counts were not equal work: PoolFormer-S12's 196 rows at
    /// batch 1 (14 panels) went in ranges of 3, 4, 3, 4 panels, and the thread that finished its 3 first took the next 3,
    /// leaving the other 112 rows against its 84; a short last panel unbalances the same way. Boundaries stay on whole
    /// panels, so the micro-kernel sees the same panels (and C the same bits) for any split.
    /// </summary>
    private int RowBoundary(int m, int parts, int part) =>
        part >= parts ? m : Math.Min(m, (int)Math.Round((double)m * part / ((double)parts * _mr), MidpointRounding.AwayFromZero) * _mr);

    /// <summary>
    /// Multiplies rows <c>[rowStart, rowEnd)</c> of the A block by columns <c>[colStart, colEnd)</c> of the packed B
    /// block: A is packed MC rows at a time into the running thread's own buffer, then every NR column panel is swept by
    /// the micro-kernel with that panel of B staying in L1.
    /// </summary>
    private void MultiplyRows(bool transA, float* a, int lda, int rowStart, int rowEnd, int kc,
        float* packB, int colStart, int colEnd, float alpha, float beta, float* c, int ldc)
    {
        int mr = _mr, nr = _nr;
        // No B buffer: workers read the packed B of the thread that started the GEMM.
        var ws = GemmWorkspace.ForCurrentThread(_mc * _kc, 0, mr * nr);
        float* packA = ws.A, tile = ws.Tile;
        bool readStored = ReadsAStored(lda);
        for (int ic = rowStart; ic < rowEnd; ic += _mc)
        {
            int mc = Math.Min(_mc, rowEnd - ic);
            // Read in place, whole panels go straight to the kernel and only a short last one is packed.
            int stored = readStored ? mc / mr * mr : 0;
            float* block = Element(a, transA, lda, ic, 0);
            if (stored < mc) GemmPacking.PackA(transA, Element(block, transA, lda, stored, 0), lda, mc - stored, kc, mr, packA);
            MultiplyPanels(transA, block, lda, stored, packA, mc, kc, packB, colStart, colEnd, alpha, beta, c + (nint)ic * ldc, ldc, tile);
        }
    }

    /// <summary>
    /// Whether whole row panels of A are read where A is stored rather than packed: stored by rows (the kernel then reads
    /// MR rows, one value each per step) or transposed (one contiguous run of MR values per step, as packed; weight
    /// gradients 0.3–0.6 % faster by the step), with rows not a multiple of 2 KB apart, where the MR rows — or the steps
    /// of one panel — would fall into one or two of L1's sets and evict each other.
    /// </summary>
    private bool ReadsAStored(int lda) => _storedAKernel != null && lda % 512 != 0;

    /// <summary>
    /// C[0:mc, colStart:colEnd] (op)= A (mc × kc) · packed B columns [colStart, colEnd): rows [0, stored) read where A is
    /// stored (whole MR-row panels, by rows or transposed), the rest from <paramref name="packA"/>'s panels.
    /// </summary>
    private void MultiplyPanels(bool transA, float* a, int lda, int stored, float* packA, int mc, int kc, float* packB, int colStart, int colEnd,
        float alpha, float beta, float* c, int ldc, float* tile)
    {
        int mr = _mr, nr = _nr;
        var kernel = _kernel;
        var storedKernel = transA ? _storedTransposedAKernel : _storedAKernel;
        nint panelStride = transA ? 1 : lda;
        for (int jr = colStart; jr < colEnd; jr += nr)
        {
            int nrr = Math.Min(nr, colEnd - jr);
            float* bPanel = packB + (nint)jr * kc;
            float* cColumn = c + jr;
            for (int ir = 0; ir < stored; ir += mr)
                storedKernel(kc, a + ir * panelStride, lda, bPanel, cColumn + (nint)ir * ldc, ldc, alpha, beta, nrr, tile);
            for (int ir = stored; ir < mc; ir += mr)
                kernel(kc, packA + (nint)(ir - stored) * kc, bPanel, cColumn + (nint)ir * ldc, ldc, alpha, beta, Math.Min(mr, mc - ir), nrr, tile);
        }
    }
}
