using System.Numerics.Tensors;
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
    /// partial, then the partials added in segment order onto C.
    /// </summary>
    private void SplitK(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, int segments)
    {
        int size = m * n;
        float[] partials = BufferPool.Rent(segments * size);
        try
        {
            fixed (float* p = partials)
            {
                ParallelRunner.For(segments, 1, new SplitKJob(this, transA, transB, m, n, k, alpha, a, lda, b, ldb, p, segments));
                var sum = new Span<float>(p, size);
                for (int s = 1; s < segments; s++) TensorPrimitives.Add(sum, new ReadOnlySpan<float>(p + (nint)s * size, size), sum);
                for (int i = 0; i < m; i++)
                {
                    var row = new Span<float>(c + (nint)i * ldc, n);
                    var part = sum.Slice(i * n, n);
                    if (beta == 0) part.CopyTo(row);
                    else TensorPrimitives.FusedMultiplyAdd(row, beta, part, row);
                }
            }
        }
        finally
        {
            BufferPool.Return(partials);
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
