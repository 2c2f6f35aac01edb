using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Gemm;

public sealed unsafe partial class ManagedGemm
{
    /// <summary>Floats <see cref="PackWholeB"/> writes for a <c>k × n</c> op(B): every KC block with its columns padded to NR.</summary>
    internal long PackedBFloats(int k, int n) => (long)k * RoundUpToPanel(n);

    /// <summary><see cref="PackedBFloats(int, int)"/> for <paramref name="b"/> as op(B).</summary>
    internal long PackedBFloats(in MatrixOperand b) => PackedBFloats(b.Rows, b.Cols);

    /// <summary>
    /// <see cref="PackWholeB(bool, float*, int, int, int, float*)"/> of <paramref name="b"/> as op(B): a linear layer's
    /// <c>[out, in]</c> weight W packs as <c>W.T</c> for its forward product and as itself for its input gradient.
    /// </summary>
    internal void PackWholeB(in MatrixOperand b, float* dst)
    {
        fixed (float* p = b.Data.AsSpan()) PackWholeB(b.Transposed, p, b.Ld, b.Rows, b.Cols, dst);
    }

    /// <summary>
    /// Packs all of <c>op(B)</c> (<c>k × n</c>) into the micro-kernel's panels, one KC block after another, for
    /// <see cref="MultiplyPackedB"/>: a constant weight packed once then serves every product with it (the blocked GEMM
    /// packs B again on every call).
    /// </summary>
    internal void PackWholeB(bool transB, float* b, int ldb, int k, int n, float* dst)
    {
        long stride = RoundUpToPanel(n);
        for (int pc = 0; pc < k; pc += _kc)
        {
            int kc = Math.Min(_kc, k - pc);
            GemmPacking.PackB(transB, Element(b, transB, ldb, pc, 0), ldb, kc, n, _nr, dst + pc * stride);
        }
    }

    /// <summary>
    /// <c>C = A · B + beta · C</c> (beta 0 or 1) for a row-major <c>m × k</c> A and a B packed by <see cref="PackWholeB"/>,
    /// C split between the threads by parts of whole MR row panels as the blocked GEMM splits it, or by NR column panels
    /// when there are few rows (each range then packs all of A). Each element of C is the chain of operations the blocked
    /// GEMM performs (the same KC blocks and micro-kernel, beta then 1), so the result is the same as <see cref="Sgemm"/>'s
    /// for any thread count.
    /// </summary>
    internal void MultiplyPackedB(int m, int n, int k, float* a, int lda, float* packedB, float beta, float* c, int ldc)
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            ScaleC(m, n, beta, new Span<float>(c, (m - 1) * ldc + n), ldc);
            return;
        }
        int panels = (m + _mr - 1) / _mr, threads = ParallelRunner.Threads;
        bool parallel = threads > 1 && (long)m * n * k >= ParallelThreshold;
        if (!parallel) new PackedBPart(this, m, n, k, a, lda, packedB, beta, c, ldc, parts: 1).Invoke(0, 1);
        else if (SplitsRows(panels, threads))
        {
            int parts = RowParts(panels, threads);
            ParallelRunner.For(parts, 1, new PackedBPart(this, m, n, k, a, lda, packedB, beta, c, ldc, parts));
        }
        else
        {
            int columnPanels = (n + _nr - 1) / _nr;
            ParallelRunner.For(columnPanels, Grain(columnPanels, threads), new PackedBPart(this, m, n, k, a, lda, packedB, beta, c, ldc, parts: 0));
        }
    }

    private long RoundUpToPanel(int n) => (n + _nr - 1) / _nr * (long)_nr;

    /// <summary>
    /// A range of <see cref="MultiplyPackedB"/>, one KC block after another as the blocked GEMM multiplies them: row parts
    /// <c>[start, end)</c> of <paramref name="parts"/> (<see cref="RowBoundary"/>) across all columns, or with
    /// <paramref name="parts"/> 0, NR column panels <c>[start, end)</c> across all rows.
    /// </summary>
    private readonly struct PackedBPart(ManagedGemm gemm, int m, int n, int k, float* a, int lda, float* packedB, float beta, float* c, int ldc, int parts)
        : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            long stride = gemm.RoundUpToPanel(n);
            bool byColumns = parts == 0;
            int firstRow = byColumns ? 0 : gemm.RowBoundary(m, parts, start), lastRow = byColumns ? m : gemm.RowBoundary(m, parts, end);
            int firstColumn = byColumns ? start * gemm._nr : 0, lastColumn = byColumns ? Math.Min(end * gemm._nr, n) : n;
            // Later K blocks accumulate onto what the first one wrote.
            for (int pc = 0; pc < k; pc += gemm._kc)
            {
                gemm.MultiplyRows(false, a + pc, lda, firstRow, lastRow, Math.Min(gemm._kc, k - pc), packedB + pc * stride, firstColumn, lastColumn,
                    1f, pc == 0 ? beta : 1f, c, ldc);
            }
        }
    }
}
