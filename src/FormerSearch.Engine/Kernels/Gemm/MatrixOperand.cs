namespace FormerSearch.Engine.Kernels.Gemm;

/// <summary>
/// A logical <c>Rows × Cols</c> matrix inside a buffer: row-major with leading dimension
/// <see cref="Ld"/>, or stored transposed (column-major) when <see cref="Transposed"/>. This is how
/// a tensor view (a weight sub-block, a transposed key matrix) reaches GEMM without a copy.
/// </summary>
internal readonly struct MatrixOperand(float[] data, int offset, int rows, int cols, int ld, bool transposed)
{
    public readonly float[] Data = data;
    public readonly int Offset = offset;
    public readonly int Rows = rows;
    public readonly int Cols = cols;
    public readonly int Ld = ld;
    public readonly bool Transposed = transposed;

    /// <summary>The same storage read as the transpose.</summary>
    public MatrixOperand T => new(Data, Offset, Cols, Rows, Ld, !Transposed);

    /// <summary>
    /// The matrix formed by the last two dimensions of <paramref name="t"/>, starting at
    /// <paramref name="offset"/> (the batch item's first element). Null when neither of the two
    /// dimensions has unit stride (the caller makes the tensor contiguous first).
    /// </summary>
    public static MatrixOperand? TryOf(Tensor t, int offset)
    {
        int rows = t.Size(-2), cols = t.Size(-1);
        int rs = t.Stride(-2), cs = t.Stride(-1);
        if (cs == 1 || cols == 1)
            return new MatrixOperand(t.Data, offset, rows, cols, rows == 1 ? Math.Max(cols, 1) : Math.Max(rs, Math.Max(cols, 1)), false);
        if (rs == 1 || rows == 1)
            return new MatrixOperand(t.Data, offset, rows, cols, cols == 1 ? Math.Max(rows, 1) : Math.Max(cs, Math.Max(rows, 1)), true);
        return null;
    }

    /// <summary><c>c = alpha · a · b + beta · c</c>.</summary>
    public static void Multiply(in MatrixOperand a, in MatrixOperand b, in MatrixOperand c, float alpha, float beta)
    {
        int m = a.Rows, k = a.Cols, n = b.Cols;
        if (c.Transposed)
        {
            // Write Cᵀ = Bᵀ·Aᵀ into C's row-major (transposed) storage.
            Gemm.Sgemm(!b.Transposed, !a.Transposed, n, m, k, alpha,
                b.Data.AsSpan(b.Offset), b.Ld, a.Data.AsSpan(a.Offset), a.Ld, beta, c.Data.AsSpan(c.Offset), c.Ld);
        }
        else
        {
            Gemm.Sgemm(a.Transposed, b.Transposed, m, n, k, alpha,
                a.Data.AsSpan(a.Offset), a.Ld, b.Data.AsSpan(b.Offset), b.Ld, beta, c.Data.AsSpan(c.Offset), c.Ld);
        }
    }
}
