using System.Numerics.Tensors;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Elementwise;

/// <summary>
/// <c>out = a ∘ b</c> for dense operands under broadcasting (see <see cref="BroadcastLayout"/>): each
/// row is one <see cref="TensorPrimitives"/> call on a run or a run and a scalar. Rows are split over
/// threads; every output element is computed by exactly one row, so results do not depend on the
/// thread count.
/// </summary>
internal static class BroadcastKernels
{
    // Below this many elements per range, a thread hand-off costs more than it saves.
    private const int ParallelGrainElements = 1 << 15;

    /// <summary>
    /// <c>out[i] = a[i] ∘ b[i]</c> over <paramref name="layout"/>, <c>out</c> dense in the layout's
    /// order starting at <paramref name="outOffset"/>. <c>out</c> may be the same buffer as <c>a</c>
    /// when <c>a</c> is dense over the whole layout.
    /// </summary>
    public static void Binary(BinaryOp op, in BroadcastLayout layout, float[] a, int aOffset, float[] b, int bOffset, float[] output, int outOffset)
    {
        int rowLength = layout.RowLength;
        int rows = layout.RowCount;
        if (rows == 0 || rowLength == 0) return;
        var body = new BinaryRows(op, layout, a, aOffset, b, bOffset, output, outOffset);
        int grain = Math.Max(1, ParallelGrainElements / rowLength);
        ParallelRunner.For(rows, grain, body);
    }

    /// <summary>
    /// <c>dst += a ⊙ b</c> over <paramref name="layout"/> with <c>a</c> and <c>dst</c> dense in the
    /// layout's order and <c>b</c> broadcast (the gradient of a full-size factor of a product).
    /// </summary>
    public static void MultiplyAccumulate(in BroadcastLayout layout, float[] a, int aOffset, float[] b, int bOffset, float[] dst, int dstOffset)
    {
        int rowLength = layout.RowLength;
        int rows = layout.RowCount;
        if (rows == 0 || rowLength == 0) return;
        ParallelRunner.For(rows, Math.Max(1, ParallelGrainElements / rowLength), new MultiplyAccumulateRows(layout, a, aOffset, b, bOffset, dst, dstOffset));
    }

    /// <summary>One row: <c>dst = a ∘ b</c> where a stride of 0 means the operand is one repeated value.</summary>
    public static void Row(BinaryOp op, ReadOnlySpan<float> a, int strideA, ReadOnlySpan<float> b, int strideB, Span<float> dst)
    {
        int n = dst.Length;
        if (n == 0) return;
        if (strideA == 1 && strideB == 1)
        {
            a = a[..n];
            b = b[..n];
            switch (op)
            {
                case BinaryOp.Add: TensorPrimitives.Add(a, b, dst); break;
                case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, dst); break;
                case BinaryOp.Mul: TensorPrimitives.Multiply(a, b, dst); break;
                default: TensorPrimitives.Divide(a, b, dst); break;
            }
        }
        else if (strideA == 1 && strideB == 0)
        {
            a = a[..n];
            float s = b[0];
            switch (op)
            {
                case BinaryOp.Add: TensorPrimitives.Add(a, s, dst); break;
                case BinaryOp.Sub: TensorPrimitives.Subtract(a, s, dst); break;
                case BinaryOp.Mul: TensorPrimitives.Multiply(a, s, dst); break;
                default: TensorPrimitives.Divide(a, s, dst); break;
            }
        }
        else if (strideA == 0 && strideB == 1)
        {
            b = b[..n];
            float s = a[0];
            switch (op)
            {
                case BinaryOp.Add: TensorPrimitives.Add(b, s, dst); break;
                case BinaryOp.Sub: TensorPrimitives.Subtract(s, b, dst); break;
                case BinaryOp.Mul: TensorPrimitives.Multiply(b, s, dst); break;
                default: TensorPrimitives.Divide(s, b, dst); break;
            }
        }
        else
        {
            // Only reached for a 1-element row or non-dense operands: plain strided loop.
            for (int i = 0, ia = 0, ib = 0; i < n; i++, ia += strideA, ib += strideB)
                dst[i] = Apply(op, a[ia], b[ib]);
        }
    }

    /// <summary>The scalar arithmetic, also the reference for the vector paths.</summary>
    public static float Apply(BinaryOp op, float x, float y) => op switch
    {
        BinaryOp.Add => x + y,
        BinaryOp.Sub => x - y,
        BinaryOp.Mul => x * y,
        _ => x / y,
    };

    private readonly struct MultiplyAccumulateRows(BroadcastLayout layout, float[] a, int aOffset, float[] b, int bOffset, float[] dst, int dstOffset) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int n = layout.RowLength;
            int sb = layout.RowStrideB;
            for (int r = start; r < end; r++)
            {
                layout.RowOffsets(r, out int oa, out int ob);
                var xs = a.AsSpan(aOffset + oa, n);
                var d = dst.AsSpan(dstOffset + r * n, n);
                if (sb == 0) TensorPrimitives.MultiplyAdd(xs, b[bOffset + ob], d, d);
                else if (sb == 1) TensorPrimitives.MultiplyAdd(xs, b.AsSpan(bOffset + ob, n), d, d);
                else for (int i = 0; i < n; i++) d[i] += xs[i] * b[bOffset + ob + i * sb];
            }
        }
    }

    private readonly struct BinaryRows(BinaryOp op, BroadcastLayout layout, float[] a, int aOffset, float[] b, int bOffset, float[] output, int outOffset) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int n = layout.RowLength;
            int sa = layout.RowStrideA, sb = layout.RowStrideB;
            int lenA = sa == 0 ? 1 : (n - 1) * sa + 1;
            int lenB = sb == 0 ? 1 : (n - 1) * sb + 1;
            for (int r = start; r < end; r++)
            {
                layout.RowOffsets(r, out int oa, out int ob);
                Row(op, a.AsSpan(aOffset + oa, lenA), sa, b.AsSpan(bOffset + ob, lenB), sb, output.AsSpan(outOffset + r * n, n));
            }
        }
    }
}
