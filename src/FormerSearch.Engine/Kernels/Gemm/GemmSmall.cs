using System.Runtime.Intrinsics;

namespace FormerSearch.Engine.Kernels.Gemm;

/// <summary>
/// GEMM for products too small to repay packing (a few dozen rows and columns): C is computed straight
/// from A and a row-major op(B), four rows of C at a time with one or two vectors of columns per row,
/// so four to eight independent FMA chains hide the FMA latency. Each element is still one FMA chain
/// over k followed by the alpha/beta update.
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
        nint rowStride = transA ? 1 : lda, colStride = transA ? lda : 1;
        for (int i = 0; i < m; i += 4)
        {
            int rows = Math.Min(4, m - i);
            float* ai = a + i * rowStride;
            float* ci = c + (nint)i * ldc;
            int j = 0;
            if (width >= 16)
            {
                // Two vectors of columns per row where they fit: eight FMA chains instead of four.
                for (; j + 32 <= n && rows == 4; j += 32) Block512x4x2(k, alpha, ai, rowStride, colStride, b + j, ldb, beta, ci + j, ldc);
                for (; j + 16 <= n; j += 16)
                {
                    for (int r = 0; r + 4 <= rows; r += 4) Block512x4(k, alpha, ai + r * rowStride, rowStride, colStride, b + j, ldb, beta, ci + (nint)r * ldc + j, ldc);
                    for (int r = rows & ~3; r < rows; r++) Block512x1(k, alpha, ai + r * rowStride, colStride, b + j, ldb, beta, ci + (nint)r * ldc + j);
                }
            }
            if (width >= 8)
            {
                for (; j + 8 <= n; j += 8)
                {
                    for (int r = 0; r + 4 <= rows; r += 4) Block256x4(k, alpha, ai + r * rowStride, rowStride, colStride, b + j, ldb, beta, ci + (nint)r * ldc + j, ldc);
                    for (int r = rows & ~3; r < rows; r++) Block256x1(k, alpha, ai + r * rowStride, colStride, b + j, ldb, beta, ci + (nint)r * ldc + j);
                }
            }
            for (; j < n; j++)
            {
                for (int r = 0; r < rows; r++)
                {
                    float* ar = ai + r * rowStride;
                    float acc = 0;
                    for (int p = 0; p < k; p++) acc = MathF.FusedMultiplyAdd(ar[p * colStride], b[(nint)p * ldb + j], acc);
                    float* cij = ci + (nint)r * ldc + j;
                    *cij = beta == 0 ? acc * alpha : MathF.FusedMultiplyAdd(acc, alpha, beta * *cij);
                }
            }
        }
    }

    private static void Block512x4(int k, float alpha, float* a, nint rowStride, nint colStride, float* b, int ldb, float beta, float* c, int ldc)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int p = 0; p < k; p++)
        {
            Vector512<float> bp = Vector512.Load(b + (nint)p * ldb);
            float* ap = a + p * colStride;
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(ap[0]), bp, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(ap[rowStride]), bp, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(ap[2 * rowStride]), bp, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(ap[3 * rowStride]), bp, c3);
        }
        Store(c0, alpha, beta, c);
        Store(c1, alpha, beta, c + ldc);
        Store(c2, alpha, beta, c + 2 * (nint)ldc);
        Store(c3, alpha, beta, c + 3 * (nint)ldc);
    }

    private static void Block512x4x2(int k, float alpha, float* a, nint rowStride, nint colStride, float* b, int ldb, float beta, float* c, int ldc)
    {
        Vector512<float> c00 = default, c10 = default, c20 = default, c30 = default;
        Vector512<float> c01 = default, c11 = default, c21 = default, c31 = default;
        for (int p = 0; p < k; p++)
        {
            float* bp = b + (nint)p * ldb;
            Vector512<float> b0 = Vector512.Load(bp), b1 = Vector512.Load(bp + 16);
            float* ap = a + p * colStride;
            Vector512<float> a0 = Vector512.Create(ap[0]), a1 = Vector512.Create(ap[rowStride]);
            Vector512<float> a2 = Vector512.Create(ap[2 * rowStride]), a3 = Vector512.Create(ap[3 * rowStride]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
        }
        Store(c00, alpha, beta, c); Store(c01, alpha, beta, c + 16);
        Store(c10, alpha, beta, c + ldc); Store(c11, alpha, beta, c + ldc + 16);
        Store(c20, alpha, beta, c + 2 * (nint)ldc); Store(c21, alpha, beta, c + 2 * (nint)ldc + 16);
        Store(c30, alpha, beta, c + 3 * (nint)ldc); Store(c31, alpha, beta, c + 3 * (nint)ldc + 16);
    }

    private static void Block512x1(int k, float alpha, float* a, nint colStride, float* b, int ldb, float beta, float* c)
    {
        Vector512<float> acc = default;
        for (int p = 0; p < k; p++) acc = Vector512.FusedMultiplyAdd(Vector512.Create(a[p * colStride]), Vector512.Load(b + (nint)p * ldb), acc);
        Store(acc, alpha, beta, c);
    }

    private static void Block256x4(int k, float alpha, float* a, nint rowStride, nint colStride, float* b, int ldb, float beta, float* c, int ldc)
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int p = 0; p < k; p++)
        {
            Vector256<float> bp = Vector256.Load(b + (nint)p * ldb);
            float* ap = a + p * colStride;
            c0 = Vector256.FusedMultiplyAdd(Vector256.Create(ap[0]), bp, c0);
            c1 = Vector256.FusedMultiplyAdd(Vector256.Create(ap[rowStride]), bp, c1);
            c2 = Vector256.FusedMultiplyAdd(Vector256.Create(ap[2 * rowStride]), bp, c2);
            c3 = Vector256.FusedMultiplyAdd(Vector256.Create(ap[3 * rowStride]), bp, c3);
        }
        Store(c0, alpha, beta, c);
        Store(c1, alpha, beta, c + ldc);
        Store(c2, alpha, beta, c + 2 * (nint)ldc);
        Store(c3, alpha, beta, c + 3 * (nint)ldc);
    }

    private static void Block256x1(int k, float alpha, float* a, nint colStride, float* b, int ldb, float beta, float* c)
    {
        Vector256<float> acc = default;
        for (int p = 0; p < k; p++) acc = Vector256.FusedMultiplyAdd(Vector256.Create(a[p * colStride]), Vector256.Load(b + (nint)p * ldb), acc);
        Store(acc, alpha, beta, c);
    }

    private static void Store(Vector512<float> acc, float alpha, float beta, float* c)
    {
        if (beta == 0) (acc * Vector512.Create(alpha)).Store(c);
        else Vector512.FusedMultiplyAdd(acc, Vector512.Create(alpha), Vector512.Create(beta) * Vector512.Load(c)).Store(c);
    }

    private static void Store(Vector256<float> acc, float alpha, float beta, float* c)
    {
        if (beta == 0) (acc * Vector256.Create(alpha)).Store(c);
        else Vector256.FusedMultiplyAdd(acc, Vector256.Create(alpha), Vector256.Create(beta) * Vector256.Load(c)).Store(c);
    }
}
