using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Elementwise;

/// <summary>
/// <c>out = a ∘ b</c> for dense operands under broadcasting (see <see cref="BroadcastLayout"/>). The
/// work is cut into rows, and long rows into segments of <see cref="SegmentElements"/>, so that both
/// many short rows (<c>[B·N, C] + [C]</c>) and one long run (same-shape operands) spread over threads.
/// Each row runs the element-wise driver <see cref="Pointwise"/> inline (a library call per 64-element row costs as
/// much as the row). Every output element is computed by exactly one work item with exact IEEE arithmetic,
/// so results do not depend on the thread count or the split.
/// </summary>
internal static class BroadcastKernels
{
    // Below this many elements per range, a thread hand-off costs more than it saves.
    private const int ParallelGrainElements = 1 << 15;

    /// <summary>Rows longer than this are split into segments of this many elements.</summary>
    public const int SegmentElements = 1 << 14;

    /// <summary>
    /// <c>output[i] = a[i] ∘ b[i]</c> over <paramref name="layout"/>, each slice starting at its tensor's first
    /// element and <c>output</c> dense in the layout's order. <c>output</c> may be <c>a</c> itself when <c>a</c> is
    /// dense over the whole layout.
    /// </summary>
    public static void Binary(BinaryOp op, in BroadcastLayout layout, FloatSlice a, FloatSlice b, FloatSlice output)
    {
        switch (op)
        {
            case BinaryOp.Add: Run<BinaryRow<BinaryOperators.Add>>(layout, a, b, output); break;
            case BinaryOp.Sub: Run<BinaryRow<BinaryOperators.Subtract>>(layout, a, b, output); break;
            case BinaryOp.Mul: Run<BinaryRow<BinaryOperators.Multiply>>(layout, a, b, output); break;
            default: Run<BinaryRow<BinaryOperators.Divide>>(layout, a, b, output); break;
        }
    }

    /// <summary>Runs <typeparamref name="TRow"/> on every work item of <paramref name="layout"/>, over threads.</summary>
    private static void Run<TRow>(in BroadcastLayout layout, FloatSlice a, FloatSlice b, FloatSlice output) where TRow : struct, IRowKernel
    {
        var work = WorkSplit.Of(layout);
        if (work.Items == 0) return;
        layout.Require(a, b, output);
        ParallelRunner.For(work.Items, work.Grain, new LayoutRows<TRow>(layout, work, a, b, output));
    }

    /// <summary>
    /// <c>dst += a ⊙ b</c> over <paramref name="layout"/> with <c>a</c> and <c>dst</c> dense in the
    /// layout's order and <c>b</c> broadcast (the gradient of a full-size factor of a product).
    /// </summary>
    public static void MultiplyAccumulate(in BroadcastLayout layout, FloatSlice a, FloatSlice b, FloatSlice dst) =>
        Run<MultiplyAccumulateRow>(layout, a, b, dst);

    /// <summary>
    /// One row: <c>dst = a ∘ b</c> where a stride of 0 means the operand is one repeated value (the
    /// loop every work item runs; exposed for the every-length tests).
    /// </summary>
    /// <exception cref="ArgumentException">An operand is too short for the row.</exception>
    public static void Row(BinaryOp op, ReadOnlySpan<float> a, int strideA, ReadOnlySpan<float> b, int strideB, Span<float> dst)
    {
        int n = dst.Length;
        if (n == 0) return;
        if (a.Length < (strideA == 0 ? 1 : (n - 1) * strideA + 1) || b.Length < (strideB == 0 ? 1 : (n - 1) * strideB + 1))
            throw new ArgumentException($"Row operands ({a.Length}, {b.Length}) are too short for {n} elements at strides {strideA}, {strideB}.");
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float dr = ref MemoryMarshal.GetReference(dst);
        switch (op)
        {
            case BinaryOp.Add: RowLoop<BinaryOperators.Add>(ref ar, strideA, ref br, strideB, ref dr, n); break;
            case BinaryOp.Sub: RowLoop<BinaryOperators.Subtract>(ref ar, strideA, ref br, strideB, ref dr, n); break;
            case BinaryOp.Mul: RowLoop<BinaryOperators.Multiply>(ref ar, strideA, ref br, strideB, ref dr, n); break;
            default: RowLoop<BinaryOperators.Divide>(ref ar, strideA, ref br, strideB, ref dr, n); break;
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

    /// <summary><c>d[i] = a[i·sa] ∘ b[i·sb]</c> for <c>i &lt; n</c>; the dense and constant cases go through <see cref="Pointwise"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowLoop<TOp>(ref float a, int sa, ref float b, int sb, ref float d, int n) where TOp : struct, IBinaryOperator
    {
        if (sa == 1 && sb == 1) Pointwise.Run<TOp, DenseOperand, DenseOperand>(ref a, ref b, ref d, n, accumulate: false);
        else if (sa == 1 && sb == 0) Pointwise.Run<TOp, DenseOperand, ScalarOperand>(ref a, ref b, ref d, n, accumulate: false);
        else if (sa == 0 && sb == 1) Pointwise.Run<TOp, ScalarOperand, DenseOperand>(ref a, ref b, ref d, n, accumulate: false);
        else
        {
            // Only reached for a 1-element row or non-dense operands: plain strided loop.
            for (nint i = 0, ia = 0, ib = 0; i < n; i++, ia += sa, ib += sb)
                Unsafe.Add(ref d, i) = TOp.Invoke(Unsafe.Add(ref a, ia), Unsafe.Add(ref b, ib));
        }
    }

    /// <summary>How a layout's rows are cut into work items: rows × segments per row.</summary>
    private readonly struct WorkSplit
    {
        public readonly int Items, Grain, SegmentsPerRow;

        private WorkSplit(int items, int grain, int segmentsPerRow) => (Items, Grain, SegmentsPerRow) = (items, grain, segmentsPerRow);

        public static WorkSplit Of(in BroadcastLayout layout)
        {
            int n = layout.RowLength, rows = layout.RowCount;
            if (n == 0 || rows == 0) return default;
            int segments = (n + SegmentElements - 1) / SegmentElements;
            int itemLength = Math.Min(n, SegmentElements);
            return new WorkSplit(rows * segments, Math.Max(1, ParallelGrainElements / itemLength), segments);
        }

        /// <summary>The row of work item <paramref name="item"/> and the element range <c>[from, from + length)</c> in it.</summary>
        public void Locate(int item, int rowLength, out int row, out int from, out int length)
        {
            row = item / SegmentsPerRow;
            from = (item - row * SegmentsPerRow) * SegmentElements;
            length = Math.Min(SegmentElements, rowLength - from);
        }
    }

    /// <summary>The operands' offsets at the start of a row; a plain multiply for the common two-level layouts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Offsets(in BroadcastLayout layout, int row, out int oa, out int ob)
    {
        if (layout.Rank <= 2)
        {
            oa = layout.Rank == 2 ? row * layout.StrideA[0] : 0;
            ob = layout.Rank == 2 ? row * layout.StrideB[0] : 0;
        }
        else
        {
            layout.RowOffsets(row, out oa, out ob);
        }
    }

    /// <summary>One work item's piece of a row: <c>d[i] ⊕= a[i·sa] ∘ b[i·sb]</c> for <c>i &lt; n</c>.</summary>
    private interface IRowKernel
    {
        static abstract void Run(ref float a, int sa, ref float b, int sb, ref float d, int n);
    }

    private readonly struct BinaryRow<TOp> : IRowKernel where TOp : struct, IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run(ref float a, int sa, ref float b, int sb, ref float d, int n) => RowLoop<TOp>(ref a, sa, ref b, sb, ref d, n);
    }

    /// <summary><c>d[i] += a[i]·b[i·sb]</c> rounded once.</summary>
    private readonly struct MultiplyAccumulateRow : IRowKernel
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run(ref float a, int sa, ref float b, int sb, ref float d, int n)
        {
            // sb = 0: one factor for the whole row; sb = 1: a dense row.
            if (sa == 1 && sb == 1) Pointwise.MultiplyAdd<DenseOperand>(ref a, ref b, ref d, n);
            else if (sa == 1 && sb == 0) Pointwise.MultiplyAdd<ScalarOperand>(ref a, ref b, ref d, n);
            else
            {
                for (int i = 0; i < n; i++)
                    Unsafe.Add(ref d, i) = MathF.FusedMultiplyAdd(Unsafe.Add(ref a, i * sa), Unsafe.Add(ref b, i * sb), Unsafe.Add(ref d, i));
            }
        }
    }

    private readonly struct LayoutRows<TRow>(BroadcastLayout layout, WorkSplit work, FloatSlice a, FloatSlice b, FloatSlice output) : IRangeBody
        where TRow : struct, IRowKernel
    {
        public void Invoke(int start, int end)
        {
            int n = layout.RowLength;
            int sa = layout.RowStrideA, sb = layout.RowStrideB;
            for (int item = start; item < end; item++)
            {
                work.Locate(item, n, out int r, out int from, out int length);
                Offsets(layout, r, out int oa, out int ob);
                TRow.Run(
                    ref Unsafe.Add(ref a.Start, oa + from * sa), sa,
                    ref Unsafe.Add(ref b.Start, ob + from * sb), sb,
                    ref Unsafe.Add(ref output.Start, r * n + from), length);
            }
        }
    }
}
