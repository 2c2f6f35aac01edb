using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
            int p = 0;
            if (!transA && rows == mr && mr is >= 8 and <= 16 && Avx.IsSupported)
            {
                // A full panel of stored rows (the AVX-512 kernel's 14): rows 0–7 and rows mr−8 to mr−1 as two 8×8
                // transposes per eight p; the rows both cover are written twice with the same values.
                for (; p + 8 <= kc; p += 8, dst += 8 * mr)
                {
                    Transpose8x8(panel + p, lda, dst, mr);
                    Transpose8x8(panel + (nint)(mr - 8) * lda + p, lda, dst + mr - 8, mr);
                }
            }
            else if (transA && rows == mr && mr is >= 8 and <= 16 && Avx.IsSupported)
            {
                // Stored k × m, a full panel's values of one p are one contiguous run: two overlapping 8-wide moves (the
                // rows both cover written twice with the same values). Scalar copies of these runs cost a weight gradient
                // (dY^T · X over 16,384 rows) three times as much as its multiplications.
                for (; p < kc; p++, dst += mr)
                {
                    float* s = panel + p * colStride;
                    Avx.Store(dst, Avx.LoadVector256(s));
                    Avx.Store(dst + mr - 8, Avx.LoadVector256(s + mr - 8));
                }
            }
            for (; p < kc; p++)
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
                    int p = 0;
                    if (width == 8 && block == 8 && Avx.IsSupported)
                    {
                        // Eight by eight in registers: eight loads, 24 shuffles and eight stores instead of 64 scalar copies.
                        for (; p + 8 <= kc; p += 8, d += 8 * nr) Transpose8x8(s0 + p, ldb, d, nr);
                    }
                    for (; p < kc; p++)
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

    /// <summary>
    /// <c>dst[p·ldd + j] = src[j·lds + p]</c> for <c>j, p &lt; 8</c>: eight rows of eight floats written as eight columns,
    /// by the usual unpack, shuffle and lane-permute network.
    /// </summary>
    public static void Transpose8x8(float* src, int lds, float* dst, int ldd)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + lds);
        var r2 = Avx.LoadVector256(src + 2 * (nint)lds);
        var r3 = Avx.LoadVector256(src + 3 * (nint)lds);
        var r4 = Avx.LoadVector256(src + 4 * (nint)lds);
        var r5 = Avx.LoadVector256(src + 5 * (nint)lds);
        var r6 = Avx.LoadVector256(src + 6 * (nint)lds);
        var r7 = Avx.LoadVector256(src + 7 * (nint)lds);
        // Pairs of rows interleaved, then groups of four, within each 128-bit lane.
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        // Low lanes hold columns 0–3, high lanes columns 4–7.
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * (nint)ldd, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * (nint)ldd, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * (nint)ldd, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * (nint)ldd, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * (nint)ldd, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * (nint)ldd, Avx.Permute2x128(u3, u7, 0x31));
    }
}
