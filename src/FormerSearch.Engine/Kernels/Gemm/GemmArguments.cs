namespace FormerSearch.Engine.Kernels.Gemm;

/// <summary>
/// Checks a GEMM call's sizes against its spans before any pointer is taken, so that a wrong leading
/// dimension or a short buffer throws instead of reading or writing out of bounds in a kernel or in
/// native BLAS.
/// </summary>
internal static class GemmArguments
{
    /// <summary>Throws <see cref="ArgumentException"/> unless every matrix fits its span.</summary>
    public static void Validate(bool transA, bool transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (m == 0 || n == 0) return;
        CheckMatrix("C", m, n, cLength, ldc);
        if (k == 0) return;
        if (transA) CheckMatrix("A", k, m, aLength, lda); else CheckMatrix("A", m, k, aLength, lda);
        if (transB) CheckMatrix("B", n, k, bLength, ldb); else CheckMatrix("B", k, n, bLength, ldb);
    }

    // rows × cols as stored, each row ld elements apart.
    private static void CheckMatrix(string name, int rows, int cols, int length, int ld)
    {
        if (ld < cols)
            throw new ArgumentException($"GEMM matrix {name}: leading dimension {ld} is smaller than its stored width {cols}.");
        long needed = (long)(rows - 1) * ld + cols;
        if (length < needed)
            throw new ArgumentException($"GEMM matrix {name}: {rows}×{cols} with leading dimension {ld} needs {needed} elements but the span has {length}.");
    }
}
