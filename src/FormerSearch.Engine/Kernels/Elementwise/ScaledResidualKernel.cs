using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
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
            if (Vector512.IsHardwareAccelerated) Rows<Vector512<float>, Simd512>(start, end);
            else if (Vector256.IsHardwareAccelerated) Rows<Vector256<float>, Simd256>(start, end);
            else if (Vector128.IsHardwareAccelerated) Rows<Vector128<float>, Simd128>(start, end);
            else Rows<float, Simd32>(start, end);
        }

        private void Rows<TVector, TSimd>(int start, int end) where TVector : struct where TSimd : ISimd<TVector>
        {
            for (int r = start; r < end; r++)
            {
                int at = r * cols;
                ref float xr = ref x.Array[x.Offset + at];
                ref float ar = ref a.Array[a.Offset + at];
                ref float outr = ref output.Array[output.Offset + at];
                int c = Row<TVector, TSimd>(ref xr, ref ar, ref outr, at, 0);
                Row<float, Simd32>(ref xr, ref ar, ref outr, at, c);
            }
        }

        /// <summary>Columns from <paramref name="c"/> on, whole vectors at a time; returns where the first incomplete vector starts.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int Row<TVector, TSimd>(ref float xr, ref float ar, ref float outr, int at, int c)
            where TVector : struct where TSimd : ISimd<TVector>
        {
            bool subtract = b.Length != 0, scaled = scale.Length != 0;
            ref float br = ref subtract ? ref b.Array[b.Offset + at] : ref ar;
            ref float s = ref scaled ? ref scale.Array[scale.Offset] : ref ar;
            for (; c <= cols - TSimd.Count; c += TSimd.Count)
            {
                var d = TSimd.Load(ref ar, (nuint)c);
                if (subtract) d = TSimd.Subtract(d, TSimd.Load(ref br, (nuint)c));
                var v = scaled ? TSimd.FusedMultiplyAdd(TSimd.Load(ref s, (nuint)c), d, TSimd.Load(ref xr, (nuint)c))
                    : TSimd.Add(TSimd.Load(ref xr, (nuint)c), d);
                TSimd.Store(v, ref outr, (nuint)c);
            }
            return c;
        }
    }
}
