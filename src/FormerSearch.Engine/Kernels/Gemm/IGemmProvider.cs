namespace FormerSearch.Engine.Kernels.Gemm;

/// <summary>
/// Single-precision GEMM on row-major matrices: <c>C = alpha * op(A) * op(B) + beta * C</c>, where
/// <c>op(A)</c> is <c>m × k</c>, <c>op(B)</c> is <c>k × n</c> and <c>C</c> is <c>m × n</c>.
/// Each matrix starts at element 0 of its span and has a leading dimension (the distance between
/// consecutive rows as stored), so a sub-block of a larger matrix is passed without copying.
/// With <c>beta == 0</c>, <c>C</c> is overwritten (NaN in it does not propagate), as BLAS does.
/// </summary>
public interface IGemmProvider
{
    /// <summary>"openblas" or "managed" (or "naive" for the reference).</summary>
    string Name { get; }

    void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc);
}
