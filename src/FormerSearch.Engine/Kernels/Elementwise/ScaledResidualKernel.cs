using System.Runtime.CompilerServices;
using FormerSearch.Engine.Kernels.Simd;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Elementwise;

/// <summary>
/// A residual update in one pass: <c>out = x + s ⊙ (a − b)</c> over rows of C channels, <c>s</c> a per-channel scale
/// (a MetaFormer layer scale) and <c>b</c> an optional subtrahend (PoolFormer's <c>pool(x) − x</c> mixer). Unfused, the
/// subtraction, the scaling and the addition each read and write the whole tensor. Each element is
/// <c>fma(s, a − b, x)</c> on the vector and the scalar path alike, and threads take whole rows, so any split gives
/// the same bits.
/// </summary>
internal static class ScaledResidualKernel
{
    private const int GrainElements = 1 << 14;

    /// <summary>
    /// <c>out[r, c] = x[r, c] + s[c]·(a[r, c] − b[r, c])</c> for <paramref name="rows"/> rows of <paramref name="cols"/>;
    /// an empty <paramref name="scale"/> is all ones, an empty <paramref name="b"/> all zeros.
    /// </summary>
    /// <exception cref="ArgumentException">A slice is shorter than rows × cols, or a non-empty scale is not cols long.</exception>
    public static void Apply(FloatSlice x, FloatSlice a, FloatSlice b, FloatSlice scale, FloatSlice output, int rows, int cols)
    {
        long count = (long)rows * cols;
        x.Require(count, nameof(x));
        a.Require(count, nameof(a));
        if (b.Length != 0) b.Require(count, nameof(b));
        output.Require(count, nameof(output));
        if (scale.Length != 0 && scale.Length != cols)
            throw new ArgumentException($"A scale of {scale.Length} does not fit rows of {cols}.", nameof(scale));
        if (count == 0) return;
        ParallelRunner.For(rows, Math.Max(1, GrainElements / cols), new RowsBody(x, a, b, scale, output, cols));
    }

    private readonly struct RowsBody(FloatSlice x, FloatSlice a, FloatSlice b, FloatSlice scale, FloatSlice output, int cols) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            for (int r = start; r < end; r++)
            {
                var row = new Row(x, a, b, scale, output, r * cols, cols);
                Widths.Run(ref row);
            }
        }
    }

    /// <summary>One row, a block of columns at a time (the widest vectors, then single floats).</summary>
    private readonly ref struct Row(FloatSlice x, FloatSlice a, FloatSlice b, FloatSlice scale, FloatSlice output, int at, int cols) : IWidthLoop
    {
        private readonly ref float _x = ref x.Array[x.Offset + at], _a = ref a.Array[a.Offset + at], _out = ref output.Array[output.Offset + at];
        private readonly ref float _b = ref b.Length != 0 ? ref b.Array[b.Offset + at] : ref a.Array[a.Offset + at];
        private readonly ref float _scale = ref scale.Length != 0 ? ref scale.Array[scale.Offset] : ref x.Array[x.Offset + at];
        private readonly bool _subtract = b.Length != 0, _scaled = scale.Length != 0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int c) where TVector : struct where TSimd : ISimd<TVector>
        {
            for (; c <= cols - TSimd.Count; c += TSimd.Count)
            {
                var d = TSimd.Load(ref _a, (nuint)c);
                if (_subtract) d = TSimd.Subtract(d, TSimd.Load(ref _b, (nuint)c));
                var xv = TSimd.Load(ref _x, (nuint)c);
                TSimd.Store(_scaled ? TSimd.FusedMultiplyAdd(TSimd.Load(ref _scale, (nuint)c), d, xv) : TSimd.Add(xv, d), ref _out, (nuint)c);
            }
            return c;
        }
    }
}
