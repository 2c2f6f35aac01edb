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
    /// <paramref name="srcShape"/>; both dense.
    /// </summary>
    public static void SumInto(FloatSlice src, ReadOnlySpan<int> srcShape, FloatSlice dst, ReadOnlySpan<int> dstShape)
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
            BroadcastKernels.Binary(BinaryOp.Add, same, dst, src, dst);
            return;
        }
        if (ChannelGradients.IsPerChannel(srcShape, dstShape, out int channelRows, out int channels))
        {
            // A vector summed over rows (a bias gradient): register-blocked, parallel over fixed row chunks.
            ChannelGradients.AddBackward(src, channelRows, channels, new ChannelGradients.Destinations(null, dst));
            return;
        }

        layout.Require(dst, src, src);
        var body = new Rows(layout, src, dst);
        // When every row lands on its own target elements, rows are independent and can run in parallel.
        if (DistinctRows(layout)) ParallelRunner.For(rows, Math.Max(1, ParallelGrainElements / n), body);
        else body.Invoke(0, rows);
    }

    /// <summary>
    /// <c>dst += Σ x ⊙ y</c> over the dimensions along which <paramref name="dstShape"/> is broadcast to
    /// <paramref name="shape"/>, with <c>x</c> and <c>y</c> both dense in <paramref name="shape"/> — the
    /// gradient of one factor of a broadcast product without materialising <c>x ⊙ y</c>. Same order
    /// guarantees as <see cref="SumInto"/>.
    /// </summary>
    public static void SumProductInto(FloatSlice x, FloatSlice y, ReadOnlySpan<int> shape, FloatSlice dst, ReadOnlySpan<int> dstShape)
    {
        Span<int> srcStrides = stackalloc int[shape.Length];
        Span<int> dstStrides = stackalloc int[dstShape.Length];
        BroadcastShapes.DenseStrides(shape, srcStrides);
        BroadcastShapes.DenseStrides(dstShape, dstStrides);
        var layout = BroadcastLayout.Create(shape, dstShape, dstStrides, shape, srcStrides);
        int n = layout.RowLength;
        int rows = layout.RowCount;
        if (rows == 0 || n == 0) return;
        layout.Require(dst, x, x);
        y.Require(x.Length, nameof(y));
        var body = new ProductRows(layout, x, y, dst);
        if (DistinctRows(layout)) ParallelRunner.For(rows, Math.Max(1, ParallelGrainElements / n), body);
        else body.Invoke(0, rows);
    }

    /// <summary>True when no two rows add into the same target elements (the target is not broadcast along any outer dimension).</summary>
    private static bool DistinctRows(in BroadcastLayout layout)
    {
        for (int d = 0; d < layout.Rank - 1; d++)
            if (layout.StrideA[d] == 0) return false;
        return true;
    }

    private readonly struct ProductRows(BroadcastLayout layout, FloatSlice x, FloatSlice y, FloatSlice dst) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int n = layout.RowLength;
            bool reduceRow = layout.RowStrideA == 0;
            for (int r = start; r < end; r++)
            {
                layout.RowOffsets(r, out int od, out int os);
                var xs = x.AsSpan(os, n);
                var ys = y.AsSpan(os, n);
                if (reduceRow)
                {
                    dst[od] += TensorPrimitives.Dot(xs, ys);
                }
                else
                {
                    var d = dst.AsSpan(od, n);
                    TensorPrimitives.MultiplyAdd(xs, ys, d, d);
                }
            }
        }
    }

    private readonly struct Rows(BroadcastLayout layout, FloatSlice src, FloatSlice dst) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int n = layout.RowLength;
            bool reduceRow = layout.RowStrideA == 0;
            for (int r = start; r < end; r++)
            {
                layout.RowOffsets(r, out int od, out int os);
                var s = src.AsSpan(os, n);
                if (reduceRow)
                {
                    dst[od] += TensorPrimitives.Sum(s);
                }
                else
                {
                    var d = dst.AsSpan(od, n);
                    TensorPrimitives.Add(d, s, d);
                }
            }
        }
    }
}
