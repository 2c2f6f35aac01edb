using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FormerSearch.Engine.Kernels.Simd;
using FormerSearch.Engine.Memory;

namespace FormerSearch.Engine.Kernels.Gemm;

/// <summary>
/// GEMM for products too small to repay packing (a few dozen rows and columns): C is computed straight
/// from A and a row-major op(B), four rows of C at a time with one or two vectors of columns per row (two
/// 16-lane vectors, or a 16- and an 8-lane one), so four to eight independent FMA chains hide the FMA
/// latency. Each element is still one FMA chain over k followed by the alpha/beta update. The blocks are
/// written once over widths (<see cref="ISimd{TVector}"/>): 16 lanes, then 8, then single floats for the
/// last columns.
/// </summary>
internal static unsafe class GemmSmall
{
    /// <summary>
    /// <c>C = alpha · op(A) · B + beta · C</c> with B row-major <c>k × n</c>; <paramref name="width"/> is
    /// the widest vector to use (16, 8 or 1 floats).
    /// </summary>
    public static void Multiply(int width, bool transA, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        // op(A)[i, p] is at a + i·rowStride + p·colStride.
        var p = new Product(k, alpha, beta, transA ? 1 : lda, transA ? lda : 1, ldb, ldc);
        int whole = m & ~3;
        for (int i = 0; i < whole; i += 4) Rows(width, p, 4, n, a + i * p.RowStride, b, c + (nint)i * ldc);
        if (whole == m) return;
        if (m - whole >= 2 && width >= 8 && n >= 8) LastRowsAsFour(width, p, m - whole, n, a + whole * p.RowStride, b, c + (nint)whole * ldc);
        else Rows(width, p, m - whole, n, a + whole * p.RowStride, b, c + (nint)whole * ldc);
    }

    /// <summary>Up to four rows of C (<paramref name="rows"/>), every column.</summary>
    private static void Rows(int width, in Product p, int rows, int n, float* a, float* b, float* c)
    {
        int j = 0;
        if (width >= 16)
        {
            // Two vectors of columns per row where they fit at 16 lanes: eight FMA chains instead of four.
            j = Pairs<Vector512<float>, Simd512>(p, j, n, rows, a, b, c);
            // 24 to 31 columns left (a 24-channel convolution's whole output, 216 = 6·32 + 24 taps of its gradients):
            // 16 + 8 lanes in one pass over A, each value of A broadcast once for both.
            if (rows == 4 && j + 24 <= n)
            {
                Block4x24(p, a, b + j, c + j);
                j += 24;
            }
            j = Columns<Vector512<float>, Simd512>(p, j, n, rows, a, b, c);
        }
        if (width >= 8) j = Columns<Vector256<float>, Simd256>(p, j, n, rows, a, b, c);
        Columns<float, Simd32>(p, j, n, rows, a, b, c);
    }

    /// <summary>
    /// The last 2 or 3 rows of C as four: their rows of op(A) copied, with zero rows below, into a scratch A and their rows
    /// of C into a scratch C, so they take the four-row blocks (four to eight FMA chains, one broadcast of A for one or two
    /// vectors) instead of one chain per vector (a 3×3 convolution's tile of 151 pixels ends in 3 such rows). Each kept
    /// element is the same FMA chain and update, so the same bits.
    /// </summary>
    private static void LastRowsAsFour(int width, in Product p, int rows, int n, float* a, float* b, float* c)
    {
        int k = p.K;
        float[] scratch = BufferPool.Rent(4 * k + 4 * n);
        try
        {
            fixed (float* s = scratch)
            {
                float* sa = s, sc = s + 4 * k;
                for (int r = 0; r < 4; r++)
                {
                    float* row = a + r * p.RowStride;
                    for (int q = 0; q < k; q++) sa[r * k + q] = r < rows ? row[q * p.ColStride] : 0f;
                }
                for (int r = 0; r < rows; r++) new ReadOnlySpan<float>(c + (nint)r * p.Ldc, n).CopyTo(new Span<float>(sc + r * n, n));
                new Span<float>(sc + rows * n, (4 - rows) * n).Clear();
                Rows(width, p with { RowStride = k, ColStride = 1, Ldc = n }, 4, n, sa, b, sc);
                for (int r = 0; r < rows; r++) new ReadOnlySpan<float>(sc + r * n, n).CopyTo(new Span<float>(c + (nint)r * p.Ldc, n));
            }
        }
        finally
        {
            BufferPool.Return(scratch);
        }
    }

    /// <summary>What every block of one product shares: k, alpha, beta and the strides.</summary>
    private readonly record struct Product(int K, float Alpha, float Beta, nint RowStride, nint ColStride, int Ldb, int Ldc);

    /// <summary>Four rows of C from column <paramref name="j"/> on, two whole vectors at a time; returns the first column left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Pairs<TVector, TSimd>(in Product p, int j, int n, int rows, float* a, float* b, float* c)
        where TVector : struct where TSimd : ISimd<TVector>
    {
        int w = TSimd.Count;
        for (; j + 2 * w <= n && rows == 4; j += 2 * w) Block4x2<TVector, TSimd>(p, a, b + j, c + j);
        return j;
    }

    /// <summary>Up to four rows of C from column <paramref name="j"/> on, in whole vectors; returns the first column left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Columns<TVector, TSimd>(in Product p, int j, int n, int rows, float* a, float* b, float* c)
        where TVector : struct where TSimd : ISimd<TVector>
    {
        int w = TSimd.Count;
        for (; j + w <= n; j += w)
        {
            for (int r = 0; r + 4 <= rows; r += 4) Block4<TVector, TSimd>(p, a + r * p.RowStride, b + j, c + (nint)r * p.Ldc + j);
            for (int r = rows & ~3; r < rows; r++) Block1<TVector, TSimd>(p, a + r * p.RowStride, b + j, c + (nint)r * p.Ldc + j);
        }
        return j;
    }

    private static void Block4<TVector, TSimd>(in Product p, float* a, float* b, float* c) where TVector : struct where TSimd : ISimd<TVector>
    {
        TVector c0 = TSimd.Zero, c1 = TSimd.Zero, c2 = TSimd.Zero, c3 = TSimd.Zero;
        (int k, nint rs, nint cs, nint ldb) = (p.K, p.RowStride, p.ColStride, p.Ldb);
        for (int q = 0; q < k; q++)
        {
            TVector bq = TSimd.Load(ref b[q * ldb], 0);
            float* aq = a + q * cs;
            c0 = TSimd.FusedMultiplyAdd(TSimd.Create(aq[0]), bq, c0);
            c1 = TSimd.FusedMultiplyAdd(TSimd.Create(aq[rs]), bq, c1);
            c2 = TSimd.FusedMultiplyAdd(TSimd.Create(aq[2 * rs]), bq, c2);
            c3 = TSimd.FusedMultiplyAdd(TSimd.Create(aq[3 * rs]), bq, c3);
        }
        Store<TVector, TSimd>(p, c0, c);
        Store<TVector, TSimd>(p, c1, c + p.Ldc);
        Store<TVector, TSimd>(p, c2, c + 2 * (nint)p.Ldc);
        Store<TVector, TSimd>(p, c3, c + 3 * (nint)p.Ldc);
    }

    private static void Block4x2<TVector, TSimd>(in Product p, float* a, float* b, float* c) where TVector : struct where TSimd : ISimd<TVector>
    {
        TVector c00 = TSimd.Zero, c10 = TSimd.Zero, c20 = TSimd.Zero, c30 = TSimd.Zero;
        TVector c01 = TSimd.Zero, c11 = TSimd.Zero, c21 = TSimd.Zero, c31 = TSimd.Zero;
        (int k, nint rs, nint cs, nint ldb, nint w) = (p.K, p.RowStride, p.ColStride, p.Ldb, TSimd.Count);
        for (int q = 0; q < k; q++)
        {
            float* bq = b + q * ldb;
            TVector b0 = TSimd.Load(ref *bq, 0), b1 = TSimd.Load(ref *bq, (nuint)w);
            float* aq = a + q * cs;
            TVector a0 = TSimd.Create(aq[0]), a1 = TSimd.Create(aq[rs]), a2 = TSimd.Create(aq[2 * rs]), a3 = TSimd.Create(aq[3 * rs]);
            c00 = TSimd.FusedMultiplyAdd(a0, b0, c00); c01 = TSimd.FusedMultiplyAdd(a0, b1, c01);
            c10 = TSimd.FusedMultiplyAdd(a1, b0, c10); c11 = TSimd.FusedMultiplyAdd(a1, b1, c11);
            c20 = TSimd.FusedMultiplyAdd(a2, b0, c20); c21 = TSimd.FusedMultiplyAdd(a2, b1, c21);
            c30 = TSimd.FusedMultiplyAdd(a3, b0, c30); c31 = TSimd.FusedMultiplyAdd(a3, b1, c31);
        }
        nint ldc = p.Ldc;
        Store<TVector, TSimd>(p, c00, c); Store<TVector, TSimd>(p, c01, c + w);
        Store<TVector, TSimd>(p, c10, c + ldc); Store<TVector, TSimd>(p, c11, c + ldc + w);
        Store<TVector, TSimd>(p, c20, c + 2 * ldc); Store<TVector, TSimd>(p, c21, c + 2 * ldc + w);
        Store<TVector, TSimd>(p, c30, c + 3 * ldc); Store<TVector, TSimd>(p, c31, c + 3 * ldc + w);
    }

    /// <summary>
    /// Four rows × 24 columns: a 16-lane and an 8-lane vector per row, eight FMA chains. The 8-lane FMAs take the lower
    /// half of the 16-lane broadcast: a broadcast per FMA, as a 16-lane and an 8-lane pass of four each would issue,
    /// bounds the loop before the FMAs do (a 24-channel 3×3 convolution's tile, 151 × 24 over 216 taps, one thread:
    /// 77 → 90 GFLOP/s, median of 200 calls each way, alternated).
    /// </summary>
    private static void Block4x24(in Product p, float* a, float* b, float* c)
    {
        Vector512<float> c00 = default, c10 = default, c20 = default, c30 = default;
        Vector256<float> c01 = default, c11 = default, c21 = default, c31 = default;
        (int k, nint rs, nint cs, nint ldb) = (p.K, p.RowStride, p.ColStride, p.Ldb);
        for (int q = 0; q < k; q++)
        {
            float* bq = b + q * ldb;
            var b0 = Vector512.Load(bq);
            var b1 = Vector256.Load(bq + 16);
            float* aq = a + q * cs;
            var a0 = Vector512.Create(aq[0]);
            var a1 = Vector512.Create(aq[rs]);
            var a2 = Vector512.Create(aq[2 * rs]);
            var a3 = Vector512.Create(aq[3 * rs]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector256.FusedMultiplyAdd(a0.GetLower(), b1, c01);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector256.FusedMultiplyAdd(a1.GetLower(), b1, c11);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector256.FusedMultiplyAdd(a2.GetLower(), b1, c21);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector256.FusedMultiplyAdd(a3.GetLower(), b1, c31);
        }
        nint ldc = p.Ldc;
        Store<Vector512<float>, Simd512>(p, c00, c); Store<Vector256<float>, Simd256>(p, c01, c + 16);
        Store<Vector512<float>, Simd512>(p, c10, c + ldc); Store<Vector256<float>, Simd256>(p, c11, c + ldc + 16);
        Store<Vector512<float>, Simd512>(p, c20, c + 2 * ldc); Store<Vector256<float>, Simd256>(p, c21, c + 2 * ldc + 16);
        Store<Vector512<float>, Simd512>(p, c30, c + 3 * ldc); Store<Vector256<float>, Simd256>(p, c31, c + 3 * ldc + 16);
    }

    private static void Block1<TVector, TSimd>(in Product p, float* a, float* b, float* c) where TVector : struct where TSimd : ISimd<TVector>
    {
        TVector acc = TSimd.Zero;
        (int k, nint cs, nint ldb) = (p.K, p.ColStride, p.Ldb);
        for (int q = 0; q < k; q++) acc = TSimd.FusedMultiplyAdd(TSimd.Create(a[q * cs]), TSimd.Load(ref b[q * ldb], 0), acc);
        Store<TVector, TSimd>(p, acc, c);
    }

    /// <summary><c>c = acc · alpha + beta · c</c> (one rounding for the sum), or <c>acc · alpha</c> when beta is 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TVector, TSimd>(in Product p, TVector acc, float* c) where TVector : struct where TSimd : ISimd<TVector>
    {
        var value = p.Beta == 0 ? TSimd.Multiply(acc, TSimd.Create(p.Alpha))
            : TSimd.FusedMultiplyAdd(acc, TSimd.Create(p.Alpha), TSimd.Multiply(TSimd.Create(p.Beta), TSimd.Load(ref *c, 0)));
        TSimd.Store(value, ref *c, 0);
    }
}
