using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FormerSearch.Engine.Kernels.Simd;

namespace FormerSearch.Engine.Kernels.Gemm;

/// <summary>
/// Register-blocked micro-kernels: <c>C[mr × nr] = alpha · Ap · Bp + beta · C</c> over one packed
/// micro-panel of A (<c>kc × MR</c>, MR values per k) and of B (<c>kc × NR</c>, NR values per k).
/// Packed panels are zero-padded, so a kernel always computes the full MR × NR tile in registers and
/// only the store knows about edges. Every output element is one FMA chain over k followed by the same
/// alpha/beta update whether it lands in a full or a partial tile, which is what makes the result
/// independent of how the work is split between threads.
/// </summary>
internal static unsafe class GemmMicroKernel
{
    /// <summary>
    /// 14×32 tile with Vector512: 28 accumulators stay in registers for the whole k loop. A short last panel computes only
    /// as many rows as it has, up to 2 or 7 (197 rows are 14 panels and one row: computing that row as a whole panel cost
    /// DeiT-Tiny's batch-1 GEMMs a fifteenth of their time).
    /// </summary>
    public static void Kernel512(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, int mr, int nr, float* tile)
    {
        if (mr > 7) Kernel<Vector512<float>, Simd512, Rows14>(kc, a, b, c, ldc, alpha, beta, mr, nr, tile);
        else if (mr > 2) Kernel<Vector512<float>, Simd512, Rows7>(kc, a, b, c, ldc, alpha, beta, mr, nr, tile);
        else Kernel<Vector512<float>, Simd512, Rows2>(kc, a, b, c, ldc, alpha, beta, mr, nr, tile);
    }

    /// <summary>6×16 tile with Vector256: 12 accumulators stay in registers for the whole k loop; a panel of up to 3 rows computes only those.</summary>
    public static void Kernel256(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, int mr, int nr, float* tile)
    {
        if (mr > 3) Kernel<Vector256<float>, Simd256, Rows6>(kc, a, b, c, ldc, alpha, beta, mr, nr, tile);
        else Kernel<Vector256<float>, Simd256, Rows3>(kc, a, b, c, ldc, alpha, beta, mr, nr, tile);
    }

    /// <summary>
    /// <see cref="Kernel512"/> for a whole 14-row panel read where A is stored (row-major, <paramref name="lda"/> apart)
    /// instead of from a packed panel: the same operations in the same order, so the same bits. Packing A costs a load
    /// and a store of every value, and the packed copy's room in the caches, against N/16 multiply-adds for it.
    /// </summary>
    public static void Kernel512StoredA(int kc, float* a, nint lda, float* b, float* c, int ldc, float alpha, float beta, int nr, float* tile) =>
        Kernel<Vector512<float>, Simd512, Rows14, StoredA>(kc, a, lda, b, c, ldc, alpha, beta, 14, nr, tile);

    /// <summary><see cref="Kernel512StoredA"/> with Vector256: a whole 6-row panel read where A is stored.</summary>
    public static void Kernel256StoredA(int kc, float* a, nint lda, float* b, float* c, int ldc, float alpha, float beta, int nr, float* tile) =>
        Kernel<Vector256<float>, Simd256, Rows6, StoredA>(kc, a, lda, b, c, ldc, alpha, beta, 6, nr, tile);

    /// <summary>
    /// <see cref="Kernel512"/> for a whole 14-row panel of a transposed A read where it is stored (k × m, rows
    /// <paramref name="lda"/> apart: a weight gradient's dYᵀ): the panel's 14 values of one step are contiguous there, as
    /// in a packed panel, only <paramref name="lda"/> apart instead of 14. The same operations in the same order.
    /// </summary>
    public static void Kernel512StoredTransposedA(int kc, float* a, nint lda, float* b, float* c, int ldc, float alpha, float beta, int nr, float* tile) =>
        Kernel<Vector512<float>, Simd512, Rows14, StoredTransposedA>(kc, a, lda, b, c, ldc, alpha, beta, 14, nr, tile);

    /// <summary><see cref="Kernel512StoredTransposedA"/> with Vector256: a whole 6-row panel.</summary>
    public static void Kernel256StoredTransposedA(int kc, float* a, nint lda, float* b, float* c, int ldc, float alpha, float beta, int nr, float* tile) =>
        Kernel<Vector256<float>, Simd256, Rows6, StoredTransposedA>(kc, a, lda, b, c, ldc, alpha, beta, 6, nr, tile);

    // Rows a kernel computes, as a type: each instantiation over a struct is compiled on its own with the count a
    // constant, so the JIT drops the other rows' code.
    private interface IRowCount
    {
        static abstract int Value { get; }
    }

    private readonly struct Rows14 : IRowCount { public static int Value => 14; }

    private readonly struct Rows7 : IRowCount { public static int Value => 7; }

    private readonly struct Rows6 : IRowCount { public static int Value => 6; }

    private readonly struct Rows3 : IRowCount { public static int Value => 3; }

    private readonly struct Rows2 : IRowCount { public static int Value => 2; }

    // Where a kernel reads A's value of row i at step p, as a type (compiled apart like the row counts): from the packed
    // panel (MR values per p), from A as it is stored (rows lda apart), or from a transposed A as it is stored (the MR
    // values of one p contiguous, steps lda apart).
    private interface IAOperand
    {
        static abstract float At(float* a, nint lda, int row);

        static abstract nint Step(int rows, nint lda);
    }

    private readonly struct PackedA : IAOperand
    {
        public static float At(float* a, nint lda, int row) => a[row];

        public static nint Step(int rows, nint lda) => rows;
    }

    private readonly struct StoredA : IAOperand
    {
        public static float At(float* a, nint lda, int row) => a[row * lda];

        public static nint Step(int rows, nint lda) => 1;
    }

    private readonly struct StoredTransposedA : IAOperand
    {
        public static float At(float* a, nint lda, int row) => a[row];

        public static nint Step(int rows, nint lda) => lda;
    }

    /// <summary>The rows of a width's tile (its MR): 14 with 16 lanes, 6 with 8, each row two vectors wide.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Rows<TVector, TSimd>() where TVector : struct where TSimd : ISimd<TVector> => TSimd.Count == 16 ? 14 : 6;

    /// <summary>
    /// The first <c>TLive</c> rows (at most MR) of the MR × 2·lanes tile, written once for both widths and every row count:
    /// the count and the width are constants to the JIT, so each kernel compiles with only its rows. Rows from
    /// <paramref name="mr"/> to the count are the packing's zero padding; a row's chain of operations is the same whatever
    /// the count, so is its result.
    /// </summary>
    private static void Kernel<TVector, TSimd, TLive>(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, int mr, int nr, float* tile)
        where TVector : struct where TSimd : ISimd<TVector> where TLive : struct, IRowCount =>
        Kernel<TVector, TSimd, TLive, PackedA>(kc, a, 0, b, c, ldc, alpha, beta, mr, nr, tile);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel<TVector, TSimd, TLive, TA>(int kc, float* a, nint lda, float* b, float* c, int ldc, float alpha, float beta, int mr, int nr, float* tile)
        where TVector : struct where TSimd : ISimd<TVector> where TLive : struct, IRowCount where TA : struct, IAOperand
    {
        int w = TSimd.Count, rows = Rows<TVector, TSimd>(), live = TLive.Value;
        TVector c0_0 = TSimd.Zero, c0_1 = TSimd.Zero;
        TVector c1_0 = TSimd.Zero, c1_1 = TSimd.Zero;
        TVector c2_0 = TSimd.Zero, c2_1 = TSimd.Zero;
        TVector c3_0 = TSimd.Zero, c3_1 = TSimd.Zero;
        TVector c4_0 = TSimd.Zero, c4_1 = TSimd.Zero;
        TVector c5_0 = TSimd.Zero, c5_1 = TSimd.Zero;
        TVector c6_0 = TSimd.Zero, c6_1 = TSimd.Zero;
        TVector c7_0 = TSimd.Zero, c7_1 = TSimd.Zero;
        TVector c8_0 = TSimd.Zero, c8_1 = TSimd.Zero;
        TVector c9_0 = TSimd.Zero, c9_1 = TSimd.Zero;
        TVector c10_0 = TSimd.Zero, c10_1 = TSimd.Zero;
        TVector c11_0 = TSimd.Zero, c11_1 = TSimd.Zero;
        TVector c12_0 = TSimd.Zero, c12_1 = TSimd.Zero;
        TVector c13_0 = TSimd.Zero, c13_1 = TSimd.Zero;
        // C is touched once, after the whole k loop: start fetching it now so the update does not stall.
        for (int i = 0; i < mr; i++)
        {
            float* row = c + (nint)i * ldc;
            Sse.Prefetch0(row);
            Sse.Prefetch0(row + nr - 1);
        }
        for (int p = 0; p < kc; p++)
        {
            TVector b0 = TSimd.Load(ref *b, 0), b1 = TSimd.Load(ref *b, (nuint)w), a0;
            if (live > 0) { a0 = TSimd.Create(TA.At(a, lda, 0)); c0_0 = TSimd.FusedMultiplyAdd(a0, b0, c0_0); c0_1 = TSimd.FusedMultiplyAdd(a0, b1, c0_1); }
            if (live > 1) { a0 = TSimd.Create(TA.At(a, lda, 1)); c1_0 = TSimd.FusedMultiplyAdd(a0, b0, c1_0); c1_1 = TSimd.FusedMultiplyAdd(a0, b1, c1_1); }
            if (live > 2) { a0 = TSimd.Create(TA.At(a, lda, 2)); c2_0 = TSimd.FusedMultiplyAdd(a0, b0, c2_0); c2_1 = TSimd.FusedMultiplyAdd(a0, b1, c2_1); }
            if (live > 3) { a0 = TSimd.Create(TA.At(a, lda, 3)); c3_0 = TSimd.FusedMultiplyAdd(a0, b0, c3_0); c3_1 = TSimd.FusedMultiplyAdd(a0, b1, c3_1); }
            if (live > 4) { a0 = TSimd.Create(TA.At(a, lda, 4)); c4_0 = TSimd.FusedMultiplyAdd(a0, b0, c4_0); c4_1 = TSimd.FusedMultiplyAdd(a0, b1, c4_1); }
            if (live > 5) { a0 = TSimd.Create(TA.At(a, lda, 5)); c5_0 = TSimd.FusedMultiplyAdd(a0, b0, c5_0); c5_1 = TSimd.FusedMultiplyAdd(a0, b1, c5_1); }
            if (live > 6) { a0 = TSimd.Create(TA.At(a, lda, 6)); c6_0 = TSimd.FusedMultiplyAdd(a0, b0, c6_0); c6_1 = TSimd.FusedMultiplyAdd(a0, b1, c6_1); }
            if (live > 7) { a0 = TSimd.Create(TA.At(a, lda, 7)); c7_0 = TSimd.FusedMultiplyAdd(a0, b0, c7_0); c7_1 = TSimd.FusedMultiplyAdd(a0, b1, c7_1); }
            if (live > 8) { a0 = TSimd.Create(TA.At(a, lda, 8)); c8_0 = TSimd.FusedMultiplyAdd(a0, b0, c8_0); c8_1 = TSimd.FusedMultiplyAdd(a0, b1, c8_1); }
            if (live > 9) { a0 = TSimd.Create(TA.At(a, lda, 9)); c9_0 = TSimd.FusedMultiplyAdd(a0, b0, c9_0); c9_1 = TSimd.FusedMultiplyAdd(a0, b1, c9_1); }
            if (live > 10) { a0 = TSimd.Create(TA.At(a, lda, 10)); c10_0 = TSimd.FusedMultiplyAdd(a0, b0, c10_0); c10_1 = TSimd.FusedMultiplyAdd(a0, b1, c10_1); }
            if (live > 11) { a0 = TSimd.Create(TA.At(a, lda, 11)); c11_0 = TSimd.FusedMultiplyAdd(a0, b0, c11_0); c11_1 = TSimd.FusedMultiplyAdd(a0, b1, c11_1); }
            if (live > 12) { a0 = TSimd.Create(TA.At(a, lda, 12)); c12_0 = TSimd.FusedMultiplyAdd(a0, b0, c12_0); c12_1 = TSimd.FusedMultiplyAdd(a0, b1, c12_1); }
            if (live > 13) { a0 = TSimd.Create(TA.At(a, lda, 13)); c13_0 = TSimd.FusedMultiplyAdd(a0, b0, c13_0); c13_1 = TSimd.FusedMultiplyAdd(a0, b1, c13_1); }
            a += TA.Step(rows, lda);
            b += 2 * w;
        }

        // A partial tile goes through the scratch tile so that rows and columns past the edge of C are never touched.
        var output = new TileOutput<TVector, TSimd>(live == rows && mr == rows && nr == 2 * w, c, ldc, tile, alpha, beta);
        if (live > 0) output.Put(c0_0, c0_1, 0);
        if (live > 1) output.Put(c1_0, c1_1, 1);
        if (live > 2) output.Put(c2_0, c2_1, 2);
        if (live > 3) output.Put(c3_0, c3_1, 3);
        if (live > 4) output.Put(c4_0, c4_1, 4);
        if (live > 5) output.Put(c5_0, c5_1, 5);
        if (live > 6) output.Put(c6_0, c6_1, 6);
        if (live > 7) output.Put(c7_0, c7_1, 7);
        if (live > 8) output.Put(c8_0, c8_1, 8);
        if (live > 9) output.Put(c9_0, c9_1, 9);
        if (live > 10) output.Put(c10_0, c10_1, 10);
        if (live > 11) output.Put(c11_0, c11_1, 11);
        if (live > 12) output.Put(c12_0, c12_1, 12);
        if (live > 13) output.Put(c13_0, c13_1, 13);
        if (!output.Full) MergeTileFused(tile, 2 * w, c, ldc, alpha, beta, mr, nr);
    }

    /// <summary>
    /// Where a tile's rows go: into C with the alpha/beta update when the tile is whole, else as they are into the
    /// scratch tile (<see cref="MergeTileFused"/> then updates the part inside C with the same operations).
    /// </summary>
    private readonly struct TileOutput<TVector, TSimd>(bool full, float* c, int ldc, float* tile, float alpha, float beta)
        where TVector : struct where TSimd : ISimd<TVector>
    {
        public bool Full => full;

        /// <summary>Row <paramref name="i"/>'s two vectors.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Put(TVector left, TVector right, int i)
        {
            int w = TSimd.Count;
            if (!full)
            {
                TSimd.Store(left, ref *tile, (nuint)(i * 2 * w));
                TSimd.Store(right, ref *tile, (nuint)(i * 2 * w + w));
                return;
            }
            float* row = c + (nint)i * ldc;
            Update(left, row);
            Update(right, row + w);
        }

        /// <summary><c>dst = acc · alpha + beta · dst</c> (one rounding for the sum), or <c>acc · alpha</c> when beta is 0.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Update(TVector acc, float* dst)
        {
            var va = TSimd.Create(alpha);
            var value = beta == 0 ? TSimd.Multiply(acc, va)
                : beta == 1 ? TSimd.FusedMultiplyAdd(acc, va, TSimd.Load(ref *dst, 0))
                : TSimd.FusedMultiplyAdd(acc, va, TSimd.Multiply(TSimd.Create(beta), TSimd.Load(ref *dst, 0)));
            TSimd.Store(value, ref *dst, 0);
        }
    }

    /// <summary>4×4 tile in scalars for CPUs without usable SIMD (no FMA: plain multiply and add).</summary>
    public static void KernelScalar(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, int mr, int nr, float* tile)
    {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        float c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        float c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            float a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            a += 4;
            b += 4;
        }

        tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03;
        tile[4] = c10; tile[5] = c11; tile[6] = c12; tile[7] = c13;
        tile[8] = c20; tile[9] = c21; tile[10] = c22; tile[11] = c23;
        tile[12] = c30; tile[13] = c31; tile[14] = c32; tile[15] = c33;
        for (int i = 0; i < mr; i++)
        {
            float* src = tile + i * 4;
            float* dst = c + i * ldc;
            for (int j = 0; j < nr; j++)
                dst[j] = beta == 0 ? src[j] * alpha : src[j] * alpha + beta * dst[j];
        }
    }

    /// <summary>
    /// Writes the valid <paramref name="mr"/> × <paramref name="nr"/> corner of a scratch tile into C with
    /// exactly the operations the vector store uses (fused <c>acc · alpha + beta · c</c>), so edge
    /// elements round the same way as interior ones.
    /// </summary>
    private static void MergeTileFused(float* tile, int tileLd, float* c, int ldc, float alpha, float beta, int mr, int nr)
    {
        for (int i = 0; i < mr; i++)
        {
            float* src = tile + i * tileLd;
            float* dst = c + i * ldc;
            if (beta == 0)
            {
                for (int j = 0; j < nr; j++) dst[j] = src[j] * alpha;
            }
            else
            {
                for (int j = 0; j < nr; j++) dst[j] = MathF.FusedMultiplyAdd(src[j], alpha, beta * dst[j]);
            }
        }
    }
}
