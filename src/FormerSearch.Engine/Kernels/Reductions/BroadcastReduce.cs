using System.Numerics.Tensors;
using FormerSearch.Engine.Kernels.Elementwise;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Reductions;

/// <summary>
/// Sums a dense tensor down to a shape that broadcasts to it: the gradient of a broadcast operand, and
/// <c>Sum</c>/<c>Mean</c> over any set of axes (the reduced axes have size 1 in the target). The order
/// of additions into each target element is fixed (increasing source position, rows summed by
/// <see cref="TensorPrimitives.Sum(ReadOnlySpan{float})"/>; a vector summed over many rows goes through
/// <see cref="ChannelGradients"/>' fixed row chunks), so results are identical for any thread count.
/// </summary>
internal static class BroadcastReduce
{
    private const int ParallelGrainElements = 1 << 15;

    /// <summary>
    /// <c>dst += Σ src</c> over the dimensions along which <paramref name="dstShape"/> is broadcast to
    /// <paramref name="srcShape"/>; both dense, at the given offsets.
    /// </summary>
    public static void SumInto(float[] src, int srcOffset, ReadOnlySpan<int> srcShape, float[] dst, int dstOffset, ReadOnlySpan<int> dstShape)
    {
        Span<int> srcStrides = stackalloc int[srcShape.Length];
        Span<int> dstStrides = stackalloc int[dstShape.Length];
        BroadcastShapes.DenseStrides(srcShape, srcStrides);
        BroadcastShapes.DenseStrides(dstShape, dstStrides);
        // Operand A is the target (stride 0 where summed), B the source.
        var layout = BroadcastLayout.Create(srcShape, dstShape, dstStrides, srcShape, srcStrides);
        int n = layout.RowLength;
        int rows = layout.RowCount;
        if (rows == 0 || n == 0) return;

        if (srcShape.SequenceEqual(dstShape))
        {
            // Nothing is summed: a plain elementwise add, split over threads (one layout row may be the whole tensor).
            var same = BroadcastLayout.Create(srcShape, srcShape, srcStrides, srcShape, srcStrides);
            BroadcastKernels.Binary(BinaryOp.Add, same, dst, dstOffset, src, srcOffset, dst, dstOffset);
            return;
        }
        if (ChannelGradients.IsPerChannel(srcShape, dstShape, out int channelRows, out int channels))
        {
            // A vector summed over rows (a bias gradient): register-blocked, parallel over fixed row chunks.
            ChannelGradients.AddBackward(src, srcOffset, channelRows, channels, null, 0, dst, dstOffset);
            return;
        }

        bool distinctRows = true;
        for (int d = 0; d < layout.Rank - 1; d++)
            if (layout.StrideA[d] == 0) distinctRows = false;

        if (distinctRows)
        {
            // Every row lands on its own target elements: rows are independent and can run in parallel.
            ParallelRunner.For(rows, Math.Max(1, ParallelGrainElements / n), new Rows(layout, src, srcOffset, dst, dstOffset));
        }
        else
        {
            new Rows(layout, src, srcOffset, dst, dstOffset).Invoke(0, rows);
        }
    }

    /// <summary>
    /// <c>dst += Σ x ⊙ y</c> over the dimensions along which <paramref name="dstShape"/> is broadcast to
    /// <paramref name="shape"/>, with <c>x</c> and <c>y</c> both dense in <paramref name="shape"/> — the
    /// gradient of one factor of a broadcast product without materialising <c>x ⊙ y</c>. Same order
    /// guarantees as <see cref="SumInto"/>.
    /// </summary>
    public static void SumProductInto(float[] x, int xOffset, float[] y, int yOffset, ReadOnlySpan<int> shape, float[] dst, int dstOffset, ReadOnlySpan<int> dstShape)
    {
        Span<int> srcStrides = stackalloc int[shape.Length];
        Span<int> dstStrides = stackalloc int[dstShape.Length];
        BroadcastShapes.DenseStrides(shape, srcStrides);
        BroadcastShapes.DenseStrides(dstShape, dstStrides);
        var layout = BroadcastLayout.Create(shape, dstShape, dstStrides, shape, srcStrides);
        int n = layout.RowLength;
        int rows = layout.RowCount;
        if (rows == 0 || n == 0) return;
        bool distinctRows = true;
        for (int d = 0; d < layout.Rank - 1; d++)
            if (layout.StrideA[d] == 0) distinctRows = false;
        var body = new ProductRows(layout, x, xOffset, y, yOffset, dst, dstOffset);
        if (distinctRows) ParallelRunner.For(rows, Math.Max(1, ParallelGrainElements / n), body);
        else body.Invoke(0, rows);
    }

    private readonly struct ProductRows(BroadcastLayout layout, float[] x, int xOffset, float[] y, int yOffset, float[] dst, int dstOffset) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int n = layout.RowLength;
            bool reduceRow = layout.RowStrideA == 0;
            for (int r = start; r < end; r++)
            {
                layout.RowOffsets(r, out int od, out int os);
                var xs = x.AsSpan(xOffset + os, n);
                var ys = y.AsSpan(yOffset + os, n);
                if (reduceRow)
                {
                    dst[dstOffset + od] += TensorPrimitives.Dot(xs, ys);
                }
                else
                {
                    var d = dst.AsSpan(dstOffset + od, n);
                    TensorPrimitives.MultiplyAdd(xs, ys, d, d);
                }
            }
        }
    }

    private readonly struct Rows(BroadcastLayout layout, float[] src, int srcOffset, float[] dst, int dstOffset) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int n = layout.RowLength;
            bool reduceRow = layout.RowStrideA == 0;
            for (int r = start; r < end; r++)
            {
                layout.RowOffsets(r, out int od, out int os);
                var s = src.AsSpan(srcOffset + os, n);
                if (reduceRow)
                {
                    dst[dstOffset + od] += TensorPrimitives.Sum(s);
                }
                else
                {
                    var d = dst.AsSpan(dstOffset + od, n);
                    TensorPrimitives.Add(d, s, d);
                }
            }
        }
    }
}
