using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FormerSearch.Engine.Kernels.Simd;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Gemm;

/// <summary>
/// <c>C = A·Bᵀ</c> for an A of a few rows and a B stored row-major <c>n × k</c> (a linear layer's <c>[out, in]</c>
/// weight): every <c>C[i, j]</c> is the dot product of two contiguous rows, so nothing is packed. For a batch-1 linear
/// layer the blocked GEMM's packing of the (transposed) weight costs as much as the product itself. Each dot product is
/// one vector accumulator chain over k, its lanes summed, then the scalar tail — the same operations whatever column
/// block or thread it falls in, so results do not depend on the thread count.
/// </summary>
internal static class RowDotGemm
{
    /// <summary>Rows of A up to which dot products beat packing B (B is re-read once per row, from cache).</summary>
    public const int MaxRows = 8;

    // Below this many multiply-adds one thread finishes before a second one would have started.
    private const long ParallelThreshold = 1L << 17;

    // Columns of B swept together: four accumulator chains in flight, their rows of B staying in L1 across the rows of A.
    private const int Block = 4;

    /// <summary><c>C[0:m, 0:n] = A[0:m, 0:k] · B[0:n, 0:k]ᵀ</c>, overwriting C; rows at <paramref name="lda"/>, <paramref name="ldb"/>, <paramref name="ldc"/>.</summary>
    /// <exception cref="ArgumentException">A size is negative, a leading dimension is too small, or a slice is too short.</exception>
    public static void Multiply(int m, int n, int k, FloatSlice a, int lda, FloatSlice b, int ldb, FloatSlice c, int ldc)
    {
        if (m < 0 || n < 0 || k < 0 || lda < k || ldb < k || ldc < n)
            throw new ArgumentException($"RowDotGemm sizes m={m}, n={n}, k={k} do not fit leading dimensions {lda}, {ldb}, {ldc}.");
        if (m == 0 || n == 0) return;
        a.Require((m - 1) * lda + k, nameof(a));
        b.Require((n - 1) * ldb + k, nameof(b));
        c.Require((m - 1) * ldc + n, nameof(c));
        var body = new ColumnsBody(m, k, a, lda, b, ldb, c, ldc);
        if ((long)m * n * k < ParallelThreshold) body.Invoke(0, n);
        else ParallelRunner.For(n, Block * 4, body);
    }

    private readonly struct ColumnsBody(int m, int k, FloatSlice a, int lda, FloatSlice b, int ldb, FloatSlice c, int ldc) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            if (Vector512.IsHardwareAccelerated) Columns<Vector512<float>, Simd512>(start, end);
            else if (Vector256.IsHardwareAccelerated) Columns<Vector256<float>, Simd256>(start, end);
            else if (Vector128.IsHardwareAccelerated) Columns<Vector128<float>, Simd128>(start, end);
            else Columns<float, Simd32>(start, end);
        }

        /// <summary>Columns <c>[start, end)</c> of C for every row of A.</summary>
        private void Columns<TVector, TSimd>(int start, int end) where TVector : struct where TSimd : ISimd<TVector>
        {
            ref float a0 = ref a.Array[a.Offset];
            ref float b0 = ref b.Array[b.Offset];
            ref float c0 = ref c.Array[c.Offset];
            int j = start;
            for (; j + Block <= end; j += Block)
            {
                for (int i = 0; i < m; i++)
                {
                    Dot4<TVector, TSimd>(ref Unsafe.Add(ref a0, i * lda), ref Unsafe.Add(ref b0, j * ldb), ldb, k,
                        ref Unsafe.Add(ref c0, i * ldc + j));
                }
            }
            for (; j < end; j++)
            {
                for (int i = 0; i < m; i++)
                    Unsafe.Add(ref c0, i * ldc + j) = Dot<TVector, TSimd>(ref Unsafe.Add(ref a0, i * lda), ref Unsafe.Add(ref b0, j * ldb), k);
            }
        }
    }

    /// <summary>The dot product of two runs of <paramref name="k"/> floats: one vector chain, its lanes summed, then the scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Dot<TVector, TSimd>(ref float x, ref float y, int k) where TVector : struct where TSimd : ISimd<TVector>
    {
        var acc = TSimd.Zero;
        int p = 0;
        for (; p <= k - TSimd.Count; p += TSimd.Count)
            acc = TSimd.FusedMultiplyAdd(TSimd.Load(ref x, (nuint)p), TSimd.Load(ref y, (nuint)p), acc);
        float sum = TSimd.Sum(acc);
        for (; p < k; p++) sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref x, p), Unsafe.Add(ref y, p), sum);
        return sum;
    }

    /// <summary>Four dot products of <paramref name="x"/> with consecutive rows of <paramref name="y"/> (<paramref name="ldy"/> apart), each computed as <see cref="Dot"/> does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot4<TVector, TSimd>(ref float x, ref float y, int ldy, int k, ref float dst)
        where TVector : struct where TSimd : ISimd<TVector>
    {
        ref float y1 = ref Unsafe.Add(ref y, ldy);
        ref float y2 = ref Unsafe.Add(ref y, 2 * ldy);
        ref float y3 = ref Unsafe.Add(ref y, 3 * ldy);
        TVector acc0 = TSimd.Zero, acc1 = TSimd.Zero, acc2 = TSimd.Zero, acc3 = TSimd.Zero;
        int p = 0;
        for (; p <= k - TSimd.Count; p += TSimd.Count)
        {
            var xv = TSimd.Load(ref x, (nuint)p);
            acc0 = TSimd.FusedMultiplyAdd(xv, TSimd.Load(ref y, (nuint)p), acc0);
            acc1 = TSimd.FusedMultiplyAdd(xv, TSimd.Load(ref y1, (nuint)p), acc1);
            acc2 = TSimd.FusedMultiplyAdd(xv, TSimd.Load(ref y2, (nuint)p), acc2);
            acc3 = TSimd.FusedMultiplyAdd(xv, TSimd.Load(ref y3, (nuint)p), acc3);
        }
        float s0 = TSimd.Sum(acc0), s1 = TSimd.Sum(acc1), s2 = TSimd.Sum(acc2), s3 = TSimd.Sum(acc3);
        for (; p < k; p++)
        {
            float xp = Unsafe.Add(ref x, p);
            s0 = MathF.FusedMultiplyAdd(xp, Unsafe.Add(ref y, p), s0);
            s1 = MathF.FusedMultiplyAdd(xp, Unsafe.Add(ref y1, p), s1);
            s2 = MathF.FusedMultiplyAdd(xp, Unsafe.Add(ref y2, p), s2);
            s3 = MathF.FusedMultiplyAdd(xp, Unsafe.Add(ref y3, p), s3);
        }
        dst = s0;
        Unsafe.Add(ref dst, 1) = s1;
        Unsafe.Add(ref dst, 2) = s2;
        Unsafe.Add(ref dst, 3) = s3;
    }
}
