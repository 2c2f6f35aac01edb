using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FormerSearch.Engine.Kernels.Simd;

namespace FormerSearch.Engine.Kernels.Elementwise;

/// <summary>
/// The one driver loop of every element-wise kernel: <c>dst[i] = Op(x[i], y[i])</c> (or <c>+=</c>), a vector at a
/// time at the widest accelerated width (16 lanes with AVX-512, else 8 with AVX2, else 4 with SSE or Arm64 Neon),
/// then the same loop one float at a time (<see cref="Simd32"/>: the operator's scalar form) for the tail. Each
/// input is a run or one repeated value (<see cref="IOperand"/>).
/// </summary>
internal static class Pointwise
{
    /// <summary><c>dst[i] = Op(x[i], y[i])</c>, or <c>dst[i] += Op(x[i], y[i])</c> when <paramref name="accumulate"/>; dst may be x or y.</summary>
    /// <exception cref="ArgumentException">An input is shorter than the destination.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst, bool accumulate)
        where TOp : IBinaryOperator
    {
        CheckLengths(x, y, dst);
        Run<TOp, DenseOperand, DenseOperand>(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y),
            ref MemoryMarshal.GetReference(dst), dst.Length, accumulate);
    }

    /// <summary>
    /// The loop itself over <paramref name="n"/> elements from the given references, unchecked: a
    /// <see cref="ScalarOperand"/> input is read at its reference alone, a <see cref="DenseOperand"/> one at
    /// <c>n</c> consecutive places.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TOp, TX, TY>(ref float x, ref float y, ref float dst, int n, bool accumulate)
        where TOp : IBinaryOperator where TX : IOperand where TY : IOperand
    {
        var loop = new Loop<TOp, TX, TY>(ref x, ref y, ref dst, n, accumulate);
        Widths.Run(ref loop);
    }

    /// <summary>
    /// As <see cref="Run{TOp}"/> at one chosen width (whatever the hardware), then the scalar tail, so that tests cover
    /// every width's loop and tails on any machine.
    /// </summary>
    internal static void RunAt<TOp, TVector, TSimd>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst, bool accumulate)
        where TOp : IBinaryOperator where TVector : struct where TSimd : ISimd<TVector>
    {
        CheckLengths(x, y, dst);
        RunAt<TOp, DenseOperand, DenseOperand, TVector, TSimd>(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y),
            ref MemoryMarshal.GetReference(dst), dst.Length, accumulate);
    }

    /// <inheritdoc cref="RunAt{TOp, TVector, TSimd}(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, bool)"/>
    internal static void RunAt<TOp, TX, TY, TVector, TSimd>(ref float x, ref float y, ref float dst, int n, bool accumulate)
        where TOp : IBinaryOperator where TX : IOperand where TY : IOperand where TVector : struct where TSimd : ISimd<TVector>
    {
        var loop = new Loop<TOp, TX, TY>(ref x, ref y, ref dst, n, accumulate);
        loop.Run<float, Simd32>(loop.Run<TVector, TSimd>(0));
    }

    /// <summary>
    /// <c>dst[i] = x[i]·y[i] + dst[i]</c> rounded once (a fused multiply-add) over <paramref name="n"/> elements from the
    /// given references, unchecked; a <see cref="ScalarOperand"/> <c>y</c> is read at its reference alone.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MultiplyAdd<TY>(ref float x, ref float y, ref float dst, int n) where TY : IOperand
    {
        var loop = new MultiplyAddLoop<TY>(ref x, ref y, ref dst, n);
        Widths.Run(ref loop);
    }

    private readonly ref struct Loop<TOp, TX, TY>(ref float x, ref float y, ref float dst, int n, bool accumulate) : IWidthLoop
        where TOp : IBinaryOperator where TX : IOperand where TY : IOperand
    {
        private readonly ref float _x = ref x, _y = ref y, _dst = ref dst;

        /// <summary>Whole vectors of elements from <paramref name="i"/> on; returns where the first incomplete one starts.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int i) where TVector : struct where TSimd : ISimd<TVector>
        {
            if (n - i < TSimd.Count) return i;
            // A repeated input is broadcast once, outside the loop.
            TVector xs = TX.IsScalar ? TSimd.Create(_x) : default, ys = TY.IsScalar ? TSimd.Create(_y) : default;
            for (; i <= n - TSimd.Count; i += TSimd.Count)
            {
                var v = TSimd.Invoke<TOp>(TX.IsScalar ? xs : TSimd.Load(ref _x, (nuint)i), TY.IsScalar ? ys : TSimd.Load(ref _y, (nuint)i));
                if (accumulate) v = TSimd.Add(v, TSimd.Load(ref _dst, (nuint)i));
                TSimd.Store(v, ref _dst, (nuint)i);
            }
            return i;
        }
    }

    private readonly ref struct MultiplyAddLoop<TY>(ref float x, ref float y, ref float dst, int n) : IWidthLoop where TY : IOperand
    {
        private readonly ref float _x = ref x, _y = ref y, _dst = ref dst;

        /// <summary>Whole vectors of elements from <paramref name="i"/> on; returns where the first incomplete one starts.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int i) where TVector : struct where TSimd : ISimd<TVector>
        {
            if (n - i < TSimd.Count) return i;
            TVector ys = TY.IsScalar ? TSimd.Create(_y) : default;
            for (; i <= n - TSimd.Count; i += TSimd.Count)
            {
                var product = TSimd.FusedMultiplyAdd(TSimd.Load(ref _x, (nuint)i), TY.IsScalar ? ys : TSimd.Load(ref _y, (nuint)i), TSimd.Load(ref _dst, (nuint)i));
                TSimd.Store(product, ref _dst, (nuint)i);
            }
            return i;
        }
    }

    private static void CheckLengths(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst)
    {
        if (x.Length < dst.Length || y.Length < dst.Length)
            throw new ArgumentException($"Pointwise inputs ({x.Length}, {y.Length}) are shorter than the destination ({dst.Length}).");
    }
}
