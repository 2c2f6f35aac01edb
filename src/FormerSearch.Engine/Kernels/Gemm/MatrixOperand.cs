namespace FormerSearch.Engine.Kernels.Gemm;

/// <summary>
/// A logical <c>Rows × Cols</c> matrix inside a buffer: row-major with leading dimension
/// <see cref="Ld"/>, or stored transposed (column-major) when <see cref="Transposed"/>. This is how
/// a tensor view (a weight sub-block, a transposed key matrix) reaches GEMM without a copy.
/// </summary>
internal readonly struct MatrixOperand(FloatSlice data, int rows, int cols, int ld, bool transposed)
{
    /// <summary>The elements from the matrix's first on (GEMM checks that the matrix fits in them).</summary>
    public readonly FloatSlice Data = data;
    public readonly int Rows = rows;
    public readonly int Cols = cols;
    public readonly int Ld = ld;
    public readonly bool Transposed = transposed;

    /// <summary>The same storage read as the transpose.</summary>
    public MatrixOperand T => new(Data, Cols, Rows, Ld, !Transposed);

    /// <summary>
    /// The matrix formed by the last two dimensions of <paramref name="t"/>, starting
    /// <paramref name="batchOffset"/> elements after the tensor's first (the batch item's first element).
    /// Null when neither of the two dimensions has unit stride (the caller makes the tensor contiguous first).
    /// </summary>
    public static MatrixOperand? TryOf(Tensor t, int batchOffset = 0)
    {
        int rows = t.Size(-2), cols = t.Size(-1);
        int rs = t.Stride(-2), cs = t.Stride(-1);
        if (cs == 1 || cols == 1)
            return new MatrixOperand(t.StridedElements.Slice(batchOffset), rows, cols, rows == 1 ? Math.Max(cols, 1) : Math.Max(rs, Math.Max(cols, 1)), false);
        if (rs == 1 || rows == 1)
            return new MatrixOperand(t.StridedElements.Slice(batchOffset), rows, cols, cols == 1 ? Math.Max(rows, 1) : Math.Max(cs, Math.Max(rows, 1)), true);
        return null;
    }

    /// <summary><c>c = alpha · a · b + beta · c</c>, by <paramref name="provider"/> (null: <see cref="Gemm.Default"/>).</summary>
    public static void Multiply(in MatrixOperand a, in MatrixOperand b, in MatrixOperand c, float alpha, float beta, IGemmProvider? provider = null)
    {
        int m = a.Rows, k = a.Cols, n = b.Cols;
        provider ??= Gemm.Default;
        if (c.Transposed)
        {
            // Write Cᵀ = Bᵀ·Aᵀ into C's row-major (transposed) storage.
            provider.Sgemm(!b.Transposed, !a.Transposed, n, m, k, alpha, b.Data, b.Ld, a.Data, a.Ld, beta, c.Data, c.Ld);
        }
        else
        {
            provider.Sgemm(a.Transposed, b.Transposed, m, n, k, alpha, a.Data, a.Ld, b.Data, b.Ld, beta, c.Data, c.Ld);
        }
    }
}
