using System.Runtime.Intrinsics;

namespace FormerSearch.Engine.Kernels.Gemm;

/// <summary>
/// Copies blocks of op(A) and op(B) into the contiguous, zero-padded micro-panel layout the
/// micro-kernels stream through: whatever the transposes and leading dimensions of the caller, the
/// kernel then reads both operands with unit stride.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs <c>op(A)[0:mc, 0:kc]</c> (<paramref name="a"/> points at its element (0, 0)) into panels of
    /// <paramref name="mr"/> rows; panel <c>i</c> holds, for each p, the <paramref name="mr"/> values
    /// <c>op(A)[i·mr .. i·mr+mr, p]</c>, rows past <paramref name="mc"/> being zero.
    /// </summary>
    public static void PackA(bool transA, float* a, int lda, int mc, int kc, int mr, float* dst)
    {
        // op(A)[i, p] is at a + i·rowStride + p·colStride. The panel is walked in its own order (p, then row) so the
        // writes are sequential; stored k × m (transA) the mr values of one p are contiguous, stored m × k they are mr
        // short unit-stride streams that stay in L1.
        nint rowStride = transA ? 1 : lda, colStride = transA ? lda : 1;
        for (int i0 = 0; i0 < mc; i0 += mr)
        {
            int rows = Math.Min(mr, mc - i0);
            float* panel = a + i0 * rowStride;
            for (int p = 0; p < kc; p++)
            {
                float* s = panel + p * colStride;
                int r = 0;
                for (; r < rows; r++) dst[r] = s[r * rowStride];
                for (; r < mr; r++) dst[r] = 0;
                dst += mr;
            }
        }
    }

    /// <summary>
    /// Packs <c>op(B)[0:kc, 0:nc]</c> (<paramref name="b"/> points at its element (0, 0)) into panels of
    /// <paramref name="nr"/> columns; panel <c>j</c> holds, for each p, the <paramref name="nr"/> values
    /// <c>op(B)[p, j·nr .. j·nr+nr]</c>, columns past <paramref name="nc"/> being zero.
    /// </summary>
    public static void PackB(bool transB, float* b, int ldb, int kc, int nc, int nr, float* dst)
    {
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            int cols = Math.Min(nr, nc - j0);
            if (!transB)
            {
                // B is stored k × n: each p contributes a contiguous run of nr values.
                float* src = b + j0;
                if (cols == nr && nr == 32 && Vector512.IsHardwareAccelerated)
                {
                    // The AVX-512 kernel's full panels: two vector moves per p instead of a memmove call.
                    for (int p = 0; p < kc; p++)
                    {
                        float* s = src + (nint)p * ldb;
                        Vector512.Store(Vector512.Load(s), dst);
                        Vector512.Store(Vector512.Load(s + 16), dst + 16);
                        dst += nr;
                    }
                    continue;
                }
                for (int p = 0; p < kc; p++)
                {
                    new ReadOnlySpan<float>(src + (nint)p * ldb, cols).CopyTo(new Span<float>(dst, cols));
                    if (cols < nr) new Span<float>(dst + cols, nr - cols).Clear();
                    dst += nr;
                }
            }
            else
            {
                // B is stored n × k. Eight stored rows (columns of op(B)) at a time are read side by side
                // and written as 32-byte runs: few enough streams to stay in L1 even when ldb is a power of
                // two (all rows then fall in one cache set), long enough writes to combine.
                for (int jj = 0; jj < nr; jj += 8)
                {
                    int block = Math.Min(8, nr - jj);
                    int width = Math.Min(block, cols - jj);
                    float* s0 = b + (nint)(j0 + jj) * ldb;
                    float* d = dst + jj;
                    for (int p = 0; p < kc; p++)
                    {
                        float* s = s0 + p;
                        int j = 0;
                        for (; j < width; j++) d[j] = s[(nint)j * ldb];
                        for (; j < block; j++) d[j] = 0;
                        d += nr;
                    }
                }
                dst += kc * nr;
            }
        }
    }
}
