using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
    /// <summary>14×32 tile with Vector512: 28 accumulators stay in registers for the whole k loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel512(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, int mr, int nr, float* tile)
    {
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        Vector512<float> c2_0 = default; Vector512<float> c2_1 = default;
        Vector512<float> c3_0 = default; Vector512<float> c3_1 = default;
        Vector512<float> c4_0 = default; Vector512<float> c4_1 = default;
        Vector512<float> c5_0 = default; Vector512<float> c5_1 = default;
        Vector512<float> c6_0 = default; Vector512<float> c6_1 = default;
        Vector512<float> c7_0 = default; Vector512<float> c7_1 = default;
        Vector512<float> c8_0 = default; Vector512<float> c8_1 = default;
        Vector512<float> c9_0 = default; Vector512<float> c9_1 = default;
        Vector512<float> c10_0 = default; Vector512<float> c10_1 = default;
        Vector512<float> c11_0 = default; Vector512<float> c11_1 = default;
        Vector512<float> c12_0 = default; Vector512<float> c12_1 = default;
        Vector512<float> c13_0 = default; Vector512<float> c13_1 = default;
        // C is touched once, after the whole k loop: start fetching it now so the update does not stall.
        for (int i = 0; i < mr; i++)
        {
            float* row = c + (nint)i * ldc;
            Sse.Prefetch0(row);
            Sse.Prefetch0(row + nr - 1);
        }
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> a0 = Vector512.Create(a[0]);
            c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0); c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            Vector512<float> a1 = Vector512.Create(a[1]);
            c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0); c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            Vector512<float> a2 = Vector512.Create(a[2]);
            c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0); c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            Vector512<float> a3 = Vector512.Create(a[3]);
            c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0); c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            Vector512<float> a4 = Vector512.Create(a[4]);
            c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0); c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
            Vector512<float> a5 = Vector512.Create(a[5]);
            c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0); c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
            Vector512<float> a6 = Vector512.Create(a[6]);
            c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0); c6_1 = Vector512.FusedMultiplyAdd(a6, b1, c6_1);
            Vector512<float> a7 = Vector512.Create(a[7]);
            c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0); c7_1 = Vector512.FusedMultiplyAdd(a7, b1, c7_1);
            Vector512<float> a8 = Vector512.Create(a[8]);
            c8_0 = Vector512.FusedMultiplyAdd(a8, b0, c8_0); c8_1 = Vector512.FusedMultiplyAdd(a8, b1, c8_1);
            Vector512<float> a9 = Vector512.Create(a[9]);
            c9_0 = Vector512.FusedMultiplyAdd(a9, b0, c9_0); c9_1 = Vector512.FusedMultiplyAdd(a9, b1, c9_1);
            Vector512<float> a10 = Vector512.Create(a[10]);
            c10_0 = Vector512.FusedMultiplyAdd(a10, b0, c10_0); c10_1 = Vector512.FusedMultiplyAdd(a10, b1, c10_1);
            Vector512<float> a11 = Vector512.Create(a[11]);
            c11_0 = Vector512.FusedMultiplyAdd(a11, b0, c11_0); c11_1 = Vector512.FusedMultiplyAdd(a11, b1, c11_1);
            Vector512<float> a12 = Vector512.Create(a[12]);
            c12_0 = Vector512.FusedMultiplyAdd(a12, b0, c12_0); c12_1 = Vector512.FusedMultiplyAdd(a12, b1, c12_1);
            Vector512<float> a13 = Vector512.Create(a[13]);
            c13_0 = Vector512.FusedMultiplyAdd(a13, b0, c13_0); c13_1 = Vector512.FusedMultiplyAdd(a13, b1, c13_1);
            a += 14;
            b += 32;
        }

        // A partial tile goes through the scratch tile so that rows and columns past the edge of C are never touched.
        bool full = mr == 14 && nr == 32;
                if (!full)
        {
            c0_0.Store(tile + 0); c0_1.Store(tile + 16);
            c1_0.Store(tile + 32); c1_1.Store(tile + 48);
            c2_0.Store(tile + 64); c2_1.Store(tile + 80);
            c3_0.Store(tile + 96); c3_1.Store(tile + 112);
            c4_0.Store(tile + 128); c4_1.Store(tile + 144);
            c5_0.Store(tile + 160); c5_1.Store(tile + 176);
            c6_0.Store(tile + 192); c6_1.Store(tile + 208);
            c7_0.Store(tile + 224); c7_1.Store(tile + 240);
            c8_0.Store(tile + 256); c8_1.Store(tile + 272);
            c9_0.Store(tile + 288); c9_1.Store(tile + 304);
            c10_0.Store(tile + 320); c10_1.Store(tile + 336);
            c11_0.Store(tile + 352); c11_1.Store(tile + 368);
            c12_0.Store(tile + 384); c12_1.Store(tile + 400);
            c13_0.Store(tile + 416); c13_1.Store(tile + 432);
            MergeTileFused(tile, 32, c, ldc, alpha, beta, mr, nr);
            return;
        }

        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0)
        {
            (c0_0 * va).Store(c + 0 * ldc + 0); (c0_1 * va).Store(c + 0 * ldc + 16);
            (c1_0 * va).Store(c + 1 * ldc + 0); (c1_1 * va).Store(c + 1 * ldc + 16);
            (c2_0 * va).Store(c + 2 * ldc + 0); (c2_1 * va).Store(c + 2 * ldc + 16);
            (c3_0 * va).Store(c + 3 * ldc + 0); (c3_1 * va).Store(c + 3 * ldc + 16);
            (c4_0 * va).Store(c + 4 * ldc + 0); (c4_1 * va).Store(c + 4 * ldc + 16);
            (c5_0 * va).Store(c + 5 * ldc + 0); (c5_1 * va).Store(c + 5 * ldc + 16);
            (c6_0 * va).Store(c + 6 * ldc + 0); (c6_1 * va).Store(c + 6 * ldc + 16);
            (c7_0 * va).Store(c + 7 * ldc + 0); (c7_1 * va).Store(c + 7 * ldc + 16);
            (c8_0 * va).Store(c + 8 * ldc + 0); (c8_1 * va).Store(c + 8 * ldc + 16);
            (c9_0 * va).Store(c + 9 * ldc + 0); (c9_1 * va).Store(c + 9 * ldc + 16);
            (c10_0 * va).Store(c + 10 * ldc + 0); (c10_1 * va).Store(c + 10 * ldc + 16);
            (c11_0 * va).Store(c + 11 * ldc + 0); (c11_1 * va).Store(c + 11 * ldc + 16);
            (c12_0 * va).Store(c + 12 * ldc + 0); (c12_1 * va).Store(c + 12 * ldc + 16);
            (c13_0 * va).Store(c + 13 * ldc + 0); (c13_1 * va).Store(c + 13 * ldc + 16);
        }
        else if (beta == 1)
        {
            Vector512.FusedMultiplyAdd(c0_0, va, Vector512.Load(c + 0 * ldc + 0)).Store(c + 0 * ldc + 0); Vector512.FusedMultiplyAdd(c0_1, va, Vector512.Load(c + 0 * ldc + 16)).Store(c + 0 * ldc + 16);
            Vector512.FusedMultiplyAdd(c1_0, va, Vector512.Load(c + 1 * ldc + 0)).Store(c + 1 * ldc + 0); Vector512.FusedMultiplyAdd(c1_1, va, Vector512.Load(c + 1 * ldc + 16)).Store(c + 1 * ldc + 16);
            Vector512.FusedMultiplyAdd(c2_0, va, Vector512.Load(c + 2 * ldc + 0)).Store(c + 2 * ldc + 0); Vector512.FusedMultiplyAdd(c2_1, va, Vector512.Load(c + 2 * ldc + 16)).Store(c + 2 * ldc + 16);
            Vector512.FusedMultiplyAdd(c3_0, va, Vector512.Load(c + 3 * ldc + 0)).Store(c + 3 * ldc + 0); Vector512.FusedMultiplyAdd(c3_1, va, Vector512.Load(c + 3 * ldc + 16)).Store(c + 3 * ldc + 16);
            Vector512.FusedMultiplyAdd(c4_0, va, Vector512.Load(c + 4 * ldc + 0)).Store(c + 4 * ldc + 0); Vector512.FusedMultiplyAdd(c4_1, va, Vector512.Load(c + 4 * ldc + 16)).Store(c + 4 * ldc + 16);
            Vector512.FusedMultiplyAdd(c5_0, va, Vector512.Load(c + 5 * ldc + 0)).Store(c + 5 * ldc + 0); Vector512.FusedMultiplyAdd(c5_1, va, Vector512.Load(c + 5 * ldc + 16)).Store(c + 5 * ldc + 16);
            Vector512.FusedMultiplyAdd(c6_0, va, Vector512.Load(c + 6 * ldc + 0)).Store(c + 6 * ldc + 0); Vector512.FusedMultiplyAdd(c6_1, va, Vector512.Load(c + 6 * ldc + 16)).Store(c + 6 * ldc + 16);
            Vector512.FusedMultiplyAdd(c7_0, va, Vector512.Load(c + 7 * ldc + 0)).Store(c + 7 * ldc + 0); Vector512.FusedMultiplyAdd(c7_1, va, Vector512.Load(c + 7 * ldc + 16)).Store(c + 7 * ldc + 16);
            Vector512.FusedMultiplyAdd(c8_0, va, Vector512.Load(c + 8 * ldc + 0)).Store(c + 8 * ldc + 0); Vector512.FusedMultiplyAdd(c8_1, va, Vector512.Load(c + 8 * ldc + 16)).Store(c + 8 * ldc + 16);
            Vector512.FusedMultiplyAdd(c9_0, va, Vector512.Load(c + 9 * ldc + 0)).Store(c + 9 * ldc + 0); Vector512.FusedMultiplyAdd(c9_1, va, Vector512.Load(c + 9 * ldc + 16)).Store(c + 9 * ldc + 16);
            Vector512.FusedMultiplyAdd(c10_0, va, Vector512.Load(c + 10 * ldc + 0)).Store(c + 10 * ldc + 0); Vector512.FusedMultiplyAdd(c10_1, va, Vector512.Load(c + 10 * ldc + 16)).Store(c + 10 * ldc + 16);
            Vector512.FusedMultiplyAdd(c11_0, va, Vector512.Load(c + 11 * ldc + 0)).Store(c + 11 * ldc + 0); Vector512.FusedMultiplyAdd(c11_1, va, Vector512.Load(c + 11 * ldc + 16)).Store(c + 11 * ldc + 16);
            Vector512.FusedMultiplyAdd(c12_0, va, Vector512.Load(c + 12 * ldc + 0)).Store(c + 12 * ldc + 0); Vector512.FusedMultiplyAdd(c12_1, va, Vector512.Load(c + 12 * ldc + 16)).Store(c + 12 * ldc + 16);
            Vector512.FusedMultiplyAdd(c13_0, va, Vector512.Load(c + 13 * ldc + 0)).Store(c + 13 * ldc + 0); Vector512.FusedMultiplyAdd(c13_1, va, Vector512.Load(c + 13 * ldc + 16)).Store(c + 13 * ldc + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.FusedMultiplyAdd(c0_0, va, vb * Vector512.Load(c + 0 * ldc + 0)).Store(c + 0 * ldc + 0); Vector512.FusedMultiplyAdd(c0_1, va, vb * Vector512.Load(c + 0 * ldc + 16)).Store(c + 0 * ldc + 16);
            Vector512.FusedMultiplyAdd(c1_0, va, vb * Vector512.Load(c + 1 * ldc + 0)).Store(c + 1 * ldc + 0); Vector512.FusedMultiplyAdd(c1_1, va, vb * Vector512.Load(c + 1 * ldc + 16)).Store(c + 1 * ldc + 16);
            Vector512.FusedMultiplyAdd(c2_0, va, vb * Vector512.Load(c + 2 * ldc + 0)).Store(c + 2 * ldc + 0); Vector512.FusedMultiplyAdd(c2_1, va, vb * Vector512.Load(c + 2 * ldc + 16)).Store(c + 2 * ldc + 16);
            Vector512.FusedMultiplyAdd(c3_0, va, vb * Vector512.Load(c + 3 * ldc + 0)).Store(c + 3 * ldc + 0); Vector512.FusedMultiplyAdd(c3_1, va, vb * Vector512.Load(c + 3 * ldc + 16)).Store(c + 3 * ldc + 16);
            Vector512.FusedMultiplyAdd(c4_0, va, vb * Vector512.Load(c + 4 * ldc + 0)).Store(c + 4 * ldc + 0); Vector512.FusedMultiplyAdd(c4_1, va, vb * Vector512.Load(c + 4 * ldc + 16)).Store(c + 4 * ldc + 16);
            Vector512.FusedMultiplyAdd(c5_0, va, vb * Vector512.Load(c + 5 * ldc + 0)).Store(c + 5 * ldc + 0); Vector512.FusedMultiplyAdd(c5_1, va, vb * Vector512.Load(c + 5 * ldc + 16)).Store(c + 5 * ldc + 16);
            Vector512.FusedMultiplyAdd(c6_0, va, vb * Vector512.Load(c + 6 * ldc + 0)).Store(c + 6 * ldc + 0); Vector512.FusedMultiplyAdd(c6_1, va, vb * Vector512.Load(c + 6 * ldc + 16)).Store(c + 6 * ldc + 16);
            Vector512.FusedMultiplyAdd(c7_0, va, vb * Vector512.Load(c + 7 * ldc + 0)).Store(c + 7 * ldc + 0); Vector512.FusedMultiplyAdd(c7_1, va, vb * Vector512.Load(c + 7 * ldc + 16)).Store(c + 7 * ldc + 16);
            Vector512.FusedMultiplyAdd(c8_0, va, vb * Vector512.Load(c + 8 * ldc + 0)).Store(c + 8 * ldc + 0); Vector512.FusedMultiplyAdd(c8_1, va, vb * Vector512.Load(c + 8 * ldc + 16)).Store(c + 8 * ldc + 16);
            Vector512.FusedMultiplyAdd(c9_0, va, vb * Vector512.Load(c + 9 * ldc + 0)).Store(c + 9 * ldc + 0); Vector512.FusedMultiplyAdd(c9_1, va, vb * Vector512.Load(c + 9 * ldc + 16)).Store(c + 9 * ldc + 16);
            Vector512.FusedMultiplyAdd(c10_0, va, vb * Vector512.Load(c + 10 * ldc + 0)).Store(c + 10 * ldc + 0); Vector512.FusedMultiplyAdd(c10_1, va, vb * Vector512.Load(c + 10 * ldc + 16)).Store(c + 10 * ldc + 16);
            Vector512.FusedMultiplyAdd(c11_0, va, vb * Vector512.Load(c + 11 * ldc + 0)).Store(c + 11 * ldc + 0); Vector512.FusedMultiplyAdd(c11_1, va, vb * Vector512.Load(c + 11 * ldc + 16)).Store(c + 11 * ldc + 16);
            Vector512.FusedMultiplyAdd(c12_0, va, vb * Vector512.Load(c + 12 * ldc + 0)).Store(c + 12 * ldc + 0); Vector512.FusedMultiplyAdd(c12_1, va, vb * Vector512.Load(c + 12 * ldc + 16)).Store(c + 12 * ldc + 16);
            Vector512.FusedMultiplyAdd(c13_0, va, vb * Vector512.Load(c + 13 * ldc + 0)).Store(c + 13 * ldc + 0); Vector512.FusedMultiplyAdd(c13_1, va, vb * Vector512.Load(c + 13 * ldc + 16)).Store(c + 13 * ldc + 16);
        }
    }

    /// <summary>6×16 tile with Vector256: 12 accumulators stay in registers for the whole k loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel256(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, int mr, int nr, float* tile)
    {
        Vector256<float> c0_0 = default; Vector256<float> c0_1 = default;
        Vector256<float> c1_0 = default; Vector256<float> c1_1 = default;
        Vector256<float> c2_0 = default; Vector256<float> c2_1 = default;
        Vector256<float> c3_0 = default; Vector256<float> c3_1 = default;
        Vector256<float> c4_0 = default; Vector256<float> c4_1 = default;
        Vector256<float> c5_0 = default; Vector256<float> c5_1 = default;
        // C is touched once, after the whole k loop: start fetching it now so the update does not stall.
        for (int i = 0; i < mr; i++)
        {
            float* row = c + (nint)i * ldc;
            Sse.Prefetch0(row);
            Sse.Prefetch0(row + nr - 1);
        }
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b + 0);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> a0 = Vector256.Create(a[0]);
            c0_0 = Vector256.FusedMultiplyAdd(a0, b0, c0_0); c0_1 = Vector256.FusedMultiplyAdd(a0, b1, c0_1);
            Vector256<float> a1 = Vector256.Create(a[1]);
            c1_0 = Vector256.FusedMultiplyAdd(a1, b0, c1_0); c1_1 = Vector256.FusedMultiplyAdd(a1, b1, c1_1);
            Vector256<float> a2 = Vector256.Create(a[2]);
            c2_0 = Vector256.FusedMultiplyAdd(a2, b0, c2_0); c2_1 = Vector256.FusedMultiplyAdd(a2, b1, c2_1);
            Vector256<float> a3 = Vector256.Create(a[3]);
            c3_0 = Vector256.FusedMultiplyAdd(a3, b0, c3_0); c3_1 = Vector256.FusedMultiplyAdd(a3, b1, c3_1);
            Vector256<float> a4 = Vector256.Create(a[4]);
            c4_0 = Vector256.FusedMultiplyAdd(a4, b0, c4_0); c4_1 = Vector256.FusedMultiplyAdd(a4, b1, c4_1);
            Vector256<float> a5 = Vector256.Create(a[5]);
            c5_0 = Vector256.FusedMultiplyAdd(a5, b0, c5_0); c5_1 = Vector256.FusedMultiplyAdd(a5, b1, c5_1);
            a += 6;
            b += 16;
        }

        // A partial tile goes through the scratch tile so that rows and columns past the edge of C are never touched.
        bool full = mr == 6 && nr == 16;
                if (!full)
        {
            c0_0.Store(tile + 0); c0_1.Store(tile + 8);
            c1_0.Store(tile + 16); c1_1.Store(tile + 24);
            c2_0.Store(tile + 32); c2_1.Store(tile + 40);
            c3_0.Store(tile + 48); c3_1.Store(tile + 56);
            c4_0.Store(tile + 64); c4_1.Store(tile + 72);
            c5_0.Store(tile + 80); c5_1.Store(tile + 88);
            MergeTileFused(tile, 16, c, ldc, alpha, beta, mr, nr);
            return;
        }

        Vector256<float> va = Vector256.Create(alpha);
        if (beta == 0)
        {
            (c0_0 * va).Store(c + 0 * ldc + 0); (c0_1 * va).Store(c + 0 * ldc + 8);
            (c1_0 * va).Store(c + 1 * ldc + 0); (c1_1 * va).Store(c + 1 * ldc + 8);
            (c2_0 * va).Store(c + 2 * ldc + 0); (c2_1 * va).Store(c + 2 * ldc + 8);
            (c3_0 * va).Store(c + 3 * ldc + 0); (c3_1 * va).Store(c + 3 * ldc + 8);
            (c4_0 * va).Store(c + 4 * ldc + 0); (c4_1 * va).Store(c + 4 * ldc + 8);
            (c5_0 * va).Store(c + 5 * ldc + 0); (c5_1 * va).Store(c + 5 * ldc + 8);
        }
        else if (beta == 1)
        {
            Vector256.FusedMultiplyAdd(c0_0, va, Vector256.Load(c + 0 * ldc + 0)).Store(c + 0 * ldc + 0); Vector256.FusedMultiplyAdd(c0_1, va, Vector256.Load(c + 0 * ldc + 8)).Store(c + 0 * ldc + 8);
            Vector256.FusedMultiplyAdd(c1_0, va, Vector256.Load(c + 1 * ldc + 0)).Store(c + 1 * ldc + 0); Vector256.FusedMultiplyAdd(c1_1, va, Vector256.Load(c + 1 * ldc + 8)).Store(c + 1 * ldc + 8);
            Vector256.FusedMultiplyAdd(c2_0, va, Vector256.Load(c + 2 * ldc + 0)).Store(c + 2 * ldc + 0); Vector256.FusedMultiplyAdd(c2_1, va, Vector256.Load(c + 2 * ldc + 8)).Store(c + 2 * ldc + 8);
            Vector256.FusedMultiplyAdd(c3_0, va, Vector256.Load(c + 3 * ldc + 0)).Store(c + 3 * ldc + 0); Vector256.FusedMultiplyAdd(c3_1, va, Vector256.Load(c + 3 * ldc + 8)).Store(c + 3 * ldc + 8);
            Vector256.FusedMultiplyAdd(c4_0, va, Vector256.Load(c + 4 * ldc + 0)).Store(c + 4 * ldc + 0); Vector256.FusedMultiplyAdd(c4_1, va, Vector256.Load(c + 4 * ldc + 8)).Store(c + 4 * ldc + 8);
            Vector256.FusedMultiplyAdd(c5_0, va, Vector256.Load(c + 5 * ldc + 0)).Store(c + 5 * ldc + 0); Vector256.FusedMultiplyAdd(c5_1, va, Vector256.Load(c + 5 * ldc + 8)).Store(c + 5 * ldc + 8);
        }
        else
        {
            Vector256<float> vb = Vector256.Create(beta);
            Vector256.FusedMultiplyAdd(c0_0, va, vb * Vector256.Load(c + 0 * ldc + 0)).Store(c + 0 * ldc + 0); Vector256.FusedMultiplyAdd(c0_1, va, vb * Vector256.Load(c + 0 * ldc + 8)).Store(c + 0 * ldc + 8);
            Vector256.FusedMultiplyAdd(c1_0, va, vb * Vector256.Load(c + 1 * ldc + 0)).Store(c + 1 * ldc + 0); Vector256.FusedMultiplyAdd(c1_1, va, vb * Vector256.Load(c + 1 * ldc + 8)).Store(c + 1 * ldc + 8);
            Vector256.FusedMultiplyAdd(c2_0, va, vb * Vector256.Load(c + 2 * ldc + 0)).Store(c + 2 * ldc + 0); Vector256.FusedMultiplyAdd(c2_1, va, vb * Vector256.Load(c + 2 * ldc + 8)).Store(c + 2 * ldc + 8);
            Vector256.FusedMultiplyAdd(c3_0, va, vb * Vector256.Load(c + 3 * ldc + 0)).Store(c + 3 * ldc + 0); Vector256.FusedMultiplyAdd(c3_1, va, vb * Vector256.Load(c + 3 * ldc + 8)).Store(c + 3 * ldc + 8);
            Vector256.FusedMultiplyAdd(c4_0, va, vb * Vector256.Load(c + 4 * ldc + 0)).Store(c + 4 * ldc + 0); Vector256.FusedMultiplyAdd(c4_1, va, vb * Vector256.Load(c + 4 * ldc + 8)).Store(c + 4 * ldc + 8);
            Vector256.FusedMultiplyAdd(c5_0, va, vb * Vector256.Load(c + 5 * ldc + 0)).Store(c + 5 * ldc + 0); Vector256.FusedMultiplyAdd(c5_1, va, vb * Vector256.Load(c + 5 * ldc + 8)).Store(c + 5 * ldc + 8);
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
