using System.Numerics.Tensors;
using System.Runtime.Intrinsics.X86;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Gemm;

public sealed unsafe partial class ManagedGemm
{
    // The K of a segment of a split product: four of the AVX-512 kernel's KC blocks (eight of the others'); a segment's
    // ends fall on whole KC blocks (SegmentStart), so it runs the blocked GEMM's full-size blocks.
    private const int SplitKSegment = 2048;

    // At most this many segments (partial products) — enough for a few ranges per thread.
    private const int MaxSplitKSegments = 8;

    // Split only products whose C is this small (floats): the partials stay in cache and cost nothing to add.
    private const int MaxSplitKOutput = 128 * 1024;

    /// <summary>
    /// How many K segments <see cref="SplitK"/> cuts a product into, or 1 to leave K whole: a weight gradient such as
    /// PoolFormer-S12's first stage's <c>dY^T · X</c> (256 × 64 over 16,384 rows) has too few rows of C to share well, and
    /// split by rows the threads met at two barriers per KC block (packing B together, then multiplying): 73–76 GFLOP/s
    /// on two threads (median of calls alternated with the split), against 94–95 split by K; the other first- and
    /// second-stage weight gradients gain 0–8 %. Decided by the shape alone, never the thread count, so every thread
    /// count computes the same sums.
    /// </summary>
    internal static int SplitKSegments(int m, int n, int k) =>
        (long)m * n <= MaxSplitKOutput && k >= 2 * SplitKSegment ? Math.Min(MaxSplitKSegments, k / SplitKSegment) : 1;

    /// <summary>
    /// <c>C = alpha · op(A) · op(B) + beta · C</c> as <paramref name="segments"/> independent single-thread blocked products
    /// over near-equal runs of whole KC blocks of K (one parallel region, no barrier between blocks), each into its own
    /// partial, then the partials added in segment order onto C. A partial is computed transposed,
    /// <c>op(B)^T · op(A)^T</c>, when that packs far less (<see cref="SwapsOperands"/>); every element is then the same
    /// chain of operations, so are the bits.
    /// </summary>
    private void SplitK(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, int segments)
    {
        int size = m * n;
        bool swap = SwapsOperands(transA, transB, m, n, lda, ldb);
        // The partials, then eight rows of a transposed sum.
        float[] partials = BufferPool.Rent(segments * size + (swap ? 8 * n : 0));
        try
        {
            fixed (float* p = partials)
            {
                var job = swap
                    ? new SplitKJob(this, !transB, !transA, n, m, k, alpha, b, ldb, a, lda, p, segments)
                    : new SplitKJob(this, transA, transB, m, n, k, alpha, a, lda, b, ldb, p, segments);
                ParallelRunner.For(segments, 1, job);
                var sum = new Span<float>(p, size);
                for (int s = 1; s < segments; s++) TensorPrimitives.Add(sum, new ReadOnlySpan<float>(p + (nint)s * size, size), sum);
                if (swap)
                {
                    AddTransposed(m, n, beta, p, c, ldc, p + (nint)segments * size);
                    return;
                }
                for (int i = 0; i < m; i++) AddRow(beta, sum.Slice(i * n, n), new Span<float>(c + (nint)i * ldc, n));
            }
        }
        finally
        {
            BufferPool.Return(partials);
        }
    }

    /// <summary>
    /// Whether the partials pack under half as much computed transposed: the blocked GEMM packs all of op(B) (k × n) and
    /// the rows of A it cannot read in place, so PoolFormer-S12's first-stage <c>dY^T · H</c> (64 × 256 over 16,384 rows)
    /// packs a quarter as much as <c>H^T · dY</c>, H read in place and dY packed (1.44× faster alone).
    /// </summary>
    internal bool SwapsOperands(bool transA, bool transB, int m, int n, int lda, int ldb) =>
        2 * PackedFloatsPerStep(!transB, n, m, ldb) < PackedFloatsPerStep(transA, m, n, lda);

    // Floats the blocked GEMM packs per step of K for an m-row op(A) times an n-column op(B).
    private int PackedFloatsPerStep(bool transA, int m, int n, int lda) => (ReadsAStored(lda) ? m % _mr : m) + n;

    // C row = beta · C row + sum row (beta 0 overwrites, so NaN in C does not survive).
    private static void AddRow(float beta, ReadOnlySpan<float> sum, Span<float> row)
    {
        if (beta == 0) sum.CopyTo(row);
        else TensorPrimitives.FusedMultiplyAdd(row, beta, sum, row);
    }

    /// <summary><c>C = beta · C + T^T</c> for an n × m row-major T, eight rows of C at a time gathered into <paramref name="rows"/> (8 × n).</summary>
    private static void AddTransposed(int m, int n, float beta, float* t, float* c, int ldc, float* rows)
    {
        for (int i0 = 0; i0 < m; i0 += 8)
        {
            int count = Math.Min(8, m - i0), j = 0;
            if (count == 8 && Avx.IsSupported)
            {
                for (; j + 8 <= n; j += 8) GemmPacking.Transpose8x8(t + (nint)j * m + i0, m, rows + j, n);
            }
            for (; j < n; j++)
            {
                for (int r = 0; r < count; r++) rows[r * n + j] = t[(nint)j * m + i0 + r];
            }
            for (int r = 0; r < count; r++) AddRow(beta, new ReadOnlySpan<float>(rows + r * n, n), new Span<float>(c + (nint)(i0 + r) * ldc, n));
        }
    }

    /// <summary>The first K index of segment <paramref name="s"/> of <paramref name="segments"/>: a whole number of KC blocks.</summary>
    private int SegmentStart(int k, int segments, int s)
    {
        int blocks = (k + _kc - 1) / _kc;
        return s >= segments ? k : Math.Min(k, (int)((long)blocks * s / segments) * _kc);
    }

    /// <summary>Segments <c>[start, end)</c> of a split product, each a single-thread blocked GEMM into its own partial.</summary>
    private readonly struct SplitKJob(ManagedGemm owner, bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float* partials, int segments) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            for (int s = start; s < end; s++)
            {
                int p0 = owner.SegmentStart(k, segments, s), p1 = owner.SegmentStart(k, segments, s + 1);
                owner.Blocked(transA, transB, m, n, p1 - p0, alpha, Element(a, transA, lda, 0, p0), lda,
                    Element(b, transB, ldb, p0, 0), ldb, 0f, partials + (nint)s * m * n, n, threads: 1);
            }
        }
    }
}
