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
        var layout = ReductionLayout(srcShape, dstShape);
        if (layout.RowCount == 0 || layout.RowLength == 0) return;

        if (srcShape.SequenceEqual(dstShape))
        {
            // Nothing is summed: a plain elementwise add, split over threads (one layout row may be the whole tensor).
            Span<int> strides = stackalloc int[srcShape.Length];
            BroadcastShapes.DenseStrides(srcShape, strides);
            var same = BroadcastLayout.Create(srcShape, srcShape, strides, srcShape, strides);
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
        Run(layout, new Plain(src), dst);
    }

    /// <summary>
    /// <c>dst += Σ x ⊙ y</c> over the dimensions along which <paramref name="dstShape"/> is broadcast to
    /// <paramref name="shape"/>, with <c>x</c> and <c>y</c> both dense in <paramref name="shape"/> — the
    /// gradient of one factor of a broadcast product without materialising <c>x ⊙ y</c>. Same order
    /// guarantees as <see cref="SumInto"/>.
    /// </summary>
    public static void SumProductInto(FloatSlice x, FloatSlice y, ReadOnlySpan<int> shape, FloatSlice dst, ReadOnlySpan<int> dstShape)
    {
        var layout = ReductionLayout(shape, dstShape);
        if (layout.RowCount == 0 || layout.RowLength == 0) return;
        layout.Require(dst, x, x);
        y.Require(x.Length, nameof(y));
        Run(layout, new Product(x, y), dst);
    }

    /// <summary>
    /// The layout that sums a dense source of <paramref name="srcShape"/> into a dense target of
    /// <paramref name="dstShape"/>: operand A is the target (stride 0 where summed), B the source.
    /// </summary>
    private static BroadcastLayout ReductionLayout(ReadOnlySpan<int> srcShape, ReadOnlySpan<int> dstShape)
    {
        Span<int> srcStrides = stackalloc int[srcShape.Length];
        Span<int> dstStrides = stackalloc int[dstShape.Length];
        BroadcastShapes.DenseStrides(srcShape, srcStrides);
        BroadcastShapes.DenseStrides(dstShape, dstStrides);
        return BroadcastLayout.Create(srcShape, dstShape, dstStrides, srcShape, srcStrides);
    }

    /// <summary>Adds every layout row of the source into its target elements, in parallel when no two rows share a target.</summary>
    private static void Run<TSource>(in BroadcastLayout layout, TSource source, FloatSlice dst) where TSource : struct, IRowSource
    {
        var body = new Rows<TSource>(layout, source, dst);
        if (DistinctRows(layout)) ParallelRunner.For(layout.RowCount, Math.Max(1, ParallelGrainElements / layout.RowLength), body);
        else body.Invoke(0, layout.RowCount);
    }

    /// <summary>True when no two rows add into the same target elements (the target is not broadcast along any outer dimension).</summary>
    private static bool DistinctRows(in BroadcastLayout layout)
    {
        for (int d = 0; d < layout.Rank - 1; d++)
            if (layout.StrideA[d] == 0) return false;
        return true;
    }

    /// <summary>What is summed: a source row of <c>n</c> elements from <c>at</c>, in full or into a target row.</summary>
    private interface IRowSource
    {
        float Sum(int at, int n);

        void AddTo(int at, Span<float> target);
    }

    private readonly struct Plain(FloatSlice src) : IRowSource
    {
        public float Sum(int at, int n) => TensorPrimitives.Sum(src.AsSpan(at, n));

        public void AddTo(int at, Span<float> target) => TensorPrimitives.Add(target, src.AsSpan(at, target.Length), target);
    }

    /// <summary>The element-wise product <c>x ⊙ y</c>, never stored.</summary>
    private readonly struct Product(FloatSlice x, FloatSlice y) : IRowSource
    {
        public float Sum(int at, int n) => TensorPrimitives.Dot(x.AsSpan(at, n), y.AsSpan(at, n));

        public void AddTo(int at, Span<float> target) => TensorPrimitives.MultiplyAdd(x.AsSpan(at, target.Length), y.AsSpan(at, target.Length), target, target);
    }

    private readonly struct Rows<TSource>(BroadcastLayout layout, TSource source, FloatSlice dst) : IRangeBody where TSource : struct, IRowSource
    {
        public void Invoke(int start, int end)
        {
            int n = layout.RowLength;
            bool reduceRow = layout.RowStrideA == 0;
            for (int r = start; r < end; r++)
            {
                layout.RowOffsets(r, out int od, out int os);
                if (reduceRow) dst[od] += source.Sum(os, n);
                else source.AddTo(os, dst.AsSpan(od, n));
            }
        }
    }
}
