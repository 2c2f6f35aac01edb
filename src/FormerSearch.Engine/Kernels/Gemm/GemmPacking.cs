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
        for (int i0 = 0; i0 < mc; i0 += mr)
        {
            int rows = Math.Min(mr, mc - i0);
            if (transA)
            {
                // A is stored k × m: the mr values of one p are already contiguous.
                float* src = a + i0;
                for (int p = 0; p < kc; p++)
                {
                    float* s = src + (nint)p * lda;
                    int r = 0;
                    for (; r < rows; r++) dst[r] = s[r];
                    for (; r < mr; r++) dst[r] = 0;
                    dst += mr;
                }
            }
            else
            {
                // A is stored m × k: read each row with unit stride, write it as one column of the panel.
                for (int r = 0; r < rows; r++)
                {
                    float* s = a + (nint)(i0 + r) * lda;
                    float* d = dst + r;
                    for (int p = 0; p < kc; p++) d[p * mr] = s[p];
                }
                for (int r = rows; r < mr; r++)
                {
                    float* d = dst + r;
                    for (int p = 0; p < kc; p++) d[p * mr] = 0;
                }
                dst += kc * mr;
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
                for (int p = 0; p < kc; p++)
                {
                    new ReadOnlySpan<float>(src + (nint)p * ldb, cols).CopyTo(new Span<float>(dst, cols));
                    if (cols < nr) new Span<float>(dst + cols, nr - cols).Clear();
                    dst += nr;
                }
            }
            else
            {
                // B is stored n × k: read each stored row (one column of op(B)) with unit stride.
                for (int j = 0; j < cols; j++)
                {
                    float* s = b + (nint)(j0 + j) * ldb;
                    float* d = dst + j;
                    for (int p = 0; p < kc; p++) d[p * nr] = s[p];
                }
                for (int j = cols; j < nr; j++)
                {
                    float* d = dst + j;
                    for (int p = 0; p < kc; p++) d[p * nr] = 0;
                }
                dst += kc * nr;
            }
        }
    }
}
