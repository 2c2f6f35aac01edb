using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FormerSearch.Engine.Kernels.Elementwise;
using FormerSearch.Engine.Kernels.Simd;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Reductions;

/// <summary>
/// Gradients of <c>x + v</c> and <c>x · v</c> where <c>x</c> is a dense <c>[rows, C]</c> matrix and
/// <c>v</c> a <c>[C]</c> vector broadcast over the rows (a bias, a layer scale). One pass over the
/// output gradient does both: <c>dx += g</c> (or <c>g·v</c>) row by row, and <c>dv += Σ g</c> (or
/// <c>Σ g·x</c>) with blocks of channels held in registers while a chunk's rows are walked (the widest
/// accelerated vectors, then single floats; see <see cref="IWidthLoop"/>). The column sums go through
/// <see cref="ChunkedReduction"/> (fixed chunks of rows, added in chunk order), so they are bit-identical
/// for any thread count.
/// </summary>
internal static class ChannelGradients
{
    private const int ParallelGrainElements = 1 << 15;

    /// <summary>
    /// True when a tensor of <paramref name="shape"/> broadcast to <paramref name="outShape"/> is one
    /// vector of <paramref name="channels"/> repeated over <paramref name="rows"/> rows (after dropping
    /// size-1 dimensions), with at least two rows.
    /// </summary>
    public static bool IsPerChannel(ReadOnlySpan<int> outShape, ReadOnlySpan<int> shape, out int rows, out int channels)
    {
        rows = channels = 0;
        if (shape.Length > outShape.Length) return false;
        int lead = outShape.Length - shape.Length;
        // The trailing dimensions where shape matches outShape form C; everything before must be broadcast (size 1).
        int split = outShape.Length;
        while (split > lead && shape[split - 1 - lead] == outShape[split - 1]) split--;
        for (int d = lead; d < split; d++)
            if (shape[d - lead] != 1) return false;
        int r = 1, c = 1;
        for (int d = 0; d < split; d++) r *= outShape[d];
        for (int d = split; d < outShape.Length; d++) c *= outShape[d];
        if (r < 2 || c < 1) return false;
        rows = r;
        channels = c;
        return true;
    }

    /// <summary>The gradients to accumulate into; either may be absent (that input needs none).</summary>
    /// <param name="Gx">The full-size input's gradient, dense <c>[rows, C]</c>.</param>
    /// <param name="Gv">The vector's gradient, <c>[C]</c>.</param>
    /// <param name="OverwriteGx">Write <c>Gx</c> (<c>=</c>) instead of adding into it: a gradient created unfilled for this write.</param>
    public readonly record struct Destinations(FloatSlice? Gx, FloatSlice? Gv, bool OverwriteGx = false);

    /// <summary><c>gx += g</c> and <c>gv += Σ_rows g</c>, each when its destination is given, for <c>g</c> dense <c>[rows, c]</c>.</summary>
    public static void AddBackward(FloatSlice g, int rows, int c, Destinations grads) => Backward(g, null, null, rows, c, grads);

    /// <summary>For <c>y = x · v</c>: <c>gx += g · v</c> and <c>gv += Σ_rows g · x</c>, each when its destination is given.</summary>
    public static void MulBackward(FloatSlice g, FloatSlice x, FloatSlice v, int rows, int c, Destinations grads) => Backward(g, x, v, rows, c, grads);

    private static void Backward(FloatSlice g, FloatSlice? x, FloatSlice? v, int rows, int c, Destinations grads)
    {
        if (rows == 0 || c == 0) return;
        long n = (long)rows * c;
        g.Require(n, nameof(g));
        x?.Require(n, nameof(x));
        v?.Require(c, nameof(v));
        grads.Gx?.Require(n, nameof(grads.Gx));
        if (grads.Gv is not { } gv)
        {
            if (grads.Gx is { } gx) ParallelRunner.For(rows, Math.Max(1, ParallelGrainElements / c), new ElementwiseRows(g, v, gx, c, grads.OverwriteGx));
            return;
        }
        gv.Require(c, nameof(grads.Gv));
        ChunkedReduction.AddInto(rows, new Sums(g, x, v, grads.Gx, c, grads.OverwriteGx), gv.AsSpan(0, c));
    }

    /// <summary><c>gx += g</c> or <c>gx += g · v</c> (v per channel) over a range of rows; <c>=</c> when overwriting.</summary>
    private readonly struct ElementwiseRows(FloatSlice g, FloatSlice? v, FloatSlice gx, int c, bool overwrite) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            if (v is not { } scale)
            {
                // Rows are contiguous: one run over the whole range.
                int from = start * c, n = (end - start) * c;
                if (overwrite) g.AsSpan(from, n).CopyTo(gx.AsSpan(from, n));
                else AddRun(ref Unsafe.Add(ref g.Start, from), ref Unsafe.Add(ref gx.Start, from), n);
                return;
            }
            for (int r = start; r < end; r++)
            {
                if (overwrite) TensorPrimitives.Multiply(g.AsSpan(r * c, c), scale.AsSpan(0, c), gx.AsSpan(r * c, c));
                else ScaleAddRow(ref Unsafe.Add(ref g.Start, r * c), ref scale.Start, ref Unsafe.Add(ref gx.Start, r * c), c);
            }
        }
    }

    /// <summary><c>d += g</c> over a run of <paramref name="n"/> elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRun(ref float g, ref float d, int n) =>
        Pointwise.Run<BinaryOperators.Add, DenseOperand, DenseOperand>(ref d, ref g, ref d, n, accumulate: false);

    /// <summary><c>d += g·v</c> (one rounding) over a row of <paramref name="n"/> elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScaleAddRow(ref float g, ref float v, ref float d, int n) => Pointwise.MultiplyAdd<DenseOperand>(ref g, ref v, ref d, n);

    /// <summary>
    /// A chunk of rows: column sums of <c>g</c> (or <c>g·x</c> when <c>x</c> is given) into the
    /// partial, and, when <c>gx</c> is given, <c>gx += g</c> (or <c>g·v</c>) for the same elements while
    /// they are in registers.
    /// </summary>
    private readonly struct Sums(FloatSlice g, FloatSlice? x, FloatSlice? v, FloatSlice? gx, int c, bool overwriteGx) : IRowReducer
    {
        public void AddRows(int first, int last, Span<float> partial)
        {
            ref float gr = ref g.Start;
            var columns = new ColumnBlocks(ref gr, ref x.HasValue ? ref x.Value.Start : ref gr, ref v.HasValue ? ref v.Value.Start : ref gr,
                ref gx.HasValue ? ref gx.Value.Start : ref gr, ref MemoryMarshal.GetReference(partial), c, first, last, x.HasValue, gx.HasValue, overwriteGx);
            Widths.Run(ref columns);
        }
    }

    /// <summary><see cref="Sums"/> over a chunk's rows, a block of channels at a time (<see cref="ColumnSweep"/>).</summary>
    private readonly ref struct ColumnBlocks(ref float g, ref float x, ref float v, ref float gx, ref float partial,
        int c, int first, int last, bool product, bool writeGx, bool overwriteGx) : IWidthLoop, IColumnStep
    {
        private readonly ref float _g = ref g, _x = ref x, _v = ref v, _gx = ref gx, _partial = ref partial;

        /// <summary>Whole blocks of channels from <paramref name="ch"/> on; returns the first channel left.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int ch) where TVector : struct where TSimd : ISimd<TVector> =>
            ColumnSweep.Run<ColumnBlocks, TVector, TSimd>(in this, ref _partial, sum: true, c, first, last, ch);

        /// <summary>One row of one block of channels: the column sum step, and gx's update when asked.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Step<TVector, TSimd>(int at, int ch, TVector acc) where TVector : struct where TSimd : ISimd<TVector>
        {
            var gg = TSimd.Load(ref _g, (nuint)at);
            if (product)
            {
                if (writeGx)
                {
                    var scale = TSimd.Load(ref _v, (nuint)ch);
                    TSimd.Store(overwriteGx ? TSimd.Multiply(gg, scale) : TSimd.FusedMultiplyAdd(gg, scale, TSimd.Load(ref _gx, (nuint)at)), ref _gx, (nuint)at);
                }
                return TSimd.FusedMultiplyAdd(gg, TSimd.Load(ref _x, (nuint)at), acc);
            }
            if (writeGx) TSimd.Store(overwriteGx ? gg : TSimd.Add(TSimd.Load(ref _gx, (nuint)at), gg), ref _gx, (nuint)at);
            return TSimd.Add(acc, gg);
        }
    }
}
