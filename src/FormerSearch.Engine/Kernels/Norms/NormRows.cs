using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FormerSearch.Engine.Kernels.Simd;

namespace FormerSearch.Engine.Kernels.Norms;

/// <summary>
/// The per-row loops shared by LayerNorm, GroupNorm and BatchNorm: a row is a run of contiguous channels. Each loop
/// is written once over widths (<see cref="IWidthLoop"/>): whole vectors at the widest accelerated width, then single
/// floats; a sum is gathered in a vector, added across its lanes, and the tail goes on from that total. The order of
/// every sum depends only on the row length and the instruction set, so results are reproducible.
/// </summary>
internal static class NormRows
{
    /// <summary>Σ (x − mean)² over the row (the second pass of a two-pass variance, which avoids cancellation).</summary>
    public static float SumSquaredDeviations(ReadOnlySpan<float> x, float mean)
    {
        var loop = new SquaredDeviationSum(x, mean);
        Widths.Run(ref loop);
        return loop.Total;
    }

    /// <summary>Mean and <c>1/sqrt(var + eps)</c> (biased variance) of one row.</summary>
    public static void Moments(ReadOnlySpan<float> x, float eps, out float mean, out float rstd)
    {
        int n = x.Length;
        mean = Sum(x) / n;
        rstd = 1f / MathF.Sqrt(SumSquaredDeviations(x, mean) / n + eps);
    }

    /// <summary>Σ x over the row, inline (a library call per 64-channel row costs as much as the sum).</summary>
    public static float Sum(ReadOnlySpan<float> x)
    {
        var loop = new ElementSum(x);
        Widths.Run(ref loop);
        return loop.Total;
    }

    /// <summary><c>y = (x − mean)·rstd·w + b</c> with scalar mean/rstd and per-channel w, b.</summary>
    public static void Normalize(ReadOnlySpan<float> x, float mean, float rstd, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y)
    {
        var loop = new Normalization(x, mean, rstd, w, b, y);
        Widths.Run(ref loop);
    }

    /// <summary><c>y = (x − mean)·k + b</c> with per-channel mean, k (= rstd·w) and b (BatchNorm).</summary>
    public static void NormalizeChannels(ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> k, ReadOnlySpan<float> b, Span<float> y)
    {
        var loop = new ChannelNormalization(x, mean, k, b, y);
        Widths.Run(ref loop);
    }

    /// <summary><c>s1 = Σ dy·w</c> and <c>s2 = Σ dy·w·(x − mean)</c> over one row (LayerNorm backward).</summary>
    public static void GradSums(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, float mean, out float s1, out float s2)
    {
        var loop = new GradientSums(x, dy, w, mean);
        Widths.Run(ref loop);
        s1 = loop.Total1;
        s2 = loop.Total2;
    }

    /// <summary>
    /// <c>dx += a·dy·w − c0 − (x − mean)·c1</c> (<c>=</c> without <paramref name="accumulate"/>): the input gradient of a normalisation with scalar
    /// statistics, where <c>a = rstd</c>, <c>c0 = rstd·mean(dy·w)</c> and <c>c1 = rstd²·mean(dy·w·x̂)</c>
    /// (x̂ the normalised input), the means taken over the normalised group.
    /// </summary>
    public static void AddInputGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, float mean, float a, float c0, float c1, Span<float> dx,
        bool accumulate)
    {
        var loop = new InputGradient(x, dy, w, mean, a, c0, c1, dx, accumulate);
        Widths.Run(ref loop);
    }

    /// <summary><c>dx += dy·k1 + (x − mean)·k2 + k3</c> with per-channel coefficients (BatchNorm backward); <c>=</c> without <paramref name="accumulate"/>.</summary>
    public static void AddChannelInputGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> k1, ReadOnlySpan<float> k2, ReadOnlySpan<float> k3, Span<float> dx, bool accumulate)
    {
        var loop = new ChannelInputGradient(x, dy, mean, k1, k2, k3, dx, accumulate);
        Widths.Run(ref loop);
    }

    private ref struct SquaredDeviationSum(ReadOnlySpan<float> x, float mean) : IWidthLoop
    {
        private readonly ref float _x = ref MemoryMarshal.GetReference(x);
        private readonly int _n = x.Length;
        public float Total;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int i) where TVector : struct where TSimd : ISimd<TVector>
        {
            TVector vm = TSimd.Create(mean), acc = TSimd.Create(Total);
            for (; i <= _n - TSimd.Count; i += TSimd.Count)
            {
                var d = TSimd.Subtract(TSimd.Load(ref _x, (nuint)i), vm);
                acc = TSimd.FusedMultiplyAdd(d, d, acc);
            }
            Total = TSimd.Sum(acc);
            return i;
        }
    }

    private ref struct ElementSum(ReadOnlySpan<float> x) : IWidthLoop
    {
        private readonly ref float _x = ref MemoryMarshal.GetReference(x);
        private readonly int _n = x.Length;
        public float Total;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int i) where TVector : struct where TSimd : ISimd<TVector>
        {
            var acc = TSimd.Create(Total);
            for (; i <= _n - TSimd.Count; i += TSimd.Count) acc = TSimd.Add(acc, TSimd.Load(ref _x, (nuint)i));
            Total = TSimd.Sum(acc);
            return i;
        }
    }

    private readonly ref struct Normalization(ReadOnlySpan<float> x, float mean, float rstd,
        ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y) : IWidthLoop
    {
        private readonly ref float _x = ref MemoryMarshal.GetReference(x), _w = ref MemoryMarshal.GetReference(w),
            _b = ref MemoryMarshal.GetReference(b), _y = ref MemoryMarshal.GetReference(y);
        private readonly int _n = x.Length;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int i) where TVector : struct where TSimd : ISimd<TVector>
        {
            TVector vm = TSimd.Create(mean), vr = TSimd.Create(rstd);
            for (; i <= _n - TSimd.Count; i += TSimd.Count)
            {
                var xh = TSimd.Multiply(TSimd.Subtract(TSimd.Load(ref _x, (nuint)i), vm), vr);
                TSimd.Store(TSimd.FusedMultiplyAdd(xh, TSimd.Load(ref _w, (nuint)i), TSimd.Load(ref _b, (nuint)i)), ref _y, (nuint)i);
            }
            return i;
        }
    }

    private readonly ref struct ChannelNormalization(ReadOnlySpan<float> x, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> k, ReadOnlySpan<float> b, Span<float> y) : IWidthLoop
    {
        private readonly ref float _x = ref MemoryMarshal.GetReference(x), _mean = ref MemoryMarshal.GetReference(mean),
            _k = ref MemoryMarshal.GetReference(k), _b = ref MemoryMarshal.GetReference(b), _y = ref MemoryMarshal.GetReference(y);
        private readonly int _n = x.Length;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int i) where TVector : struct where TSimd : ISimd<TVector>
        {
            for (; i <= _n - TSimd.Count; i += TSimd.Count)
            {
                var d = TSimd.Subtract(TSimd.Load(ref _x, (nuint)i), TSimd.Load(ref _mean, (nuint)i));
                TSimd.Store(TSimd.FusedMultiplyAdd(d, TSimd.Load(ref _k, (nuint)i), TSimd.Load(ref _b, (nuint)i)), ref _y, (nuint)i);
            }
            return i;
        }
    }

    private ref struct GradientSums(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, float mean) : IWidthLoop
    {
        private readonly ref float _x = ref MemoryMarshal.GetReference(x), _dy = ref MemoryMarshal.GetReference(dy), _w = ref MemoryMarshal.GetReference(w);
        private readonly int _n = x.Length;
        public float Total1, Total2;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int i) where TVector : struct where TSimd : ISimd<TVector>
        {
            TVector vm = TSimd.Create(mean), a1 = TSimd.Create(Total1), a2 = TSimd.Create(Total2);
            for (; i <= _n - TSimd.Count; i += TSimd.Count)
            {
                var g = TSimd.Multiply(TSimd.Load(ref _dy, (nuint)i), TSimd.Load(ref _w, (nuint)i));
                a1 = TSimd.Add(a1, g);
                a2 = TSimd.FusedMultiplyAdd(g, TSimd.Subtract(TSimd.Load(ref _x, (nuint)i), vm), a2);
            }
            Total1 = TSimd.Sum(a1);
            Total2 = TSimd.Sum(a2);
            return i;
        }
    }

    private readonly ref struct InputGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> w,
        float mean, float a, float c0, float c1, Span<float> dx, bool accumulate) : IWidthLoop
    {
        private readonly ref float _x = ref MemoryMarshal.GetReference(x), _dy = ref MemoryMarshal.GetReference(dy),
            _w = ref MemoryMarshal.GetReference(w), _dx = ref MemoryMarshal.GetReference(dx);
        private readonly int _n = x.Length;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int i) where TVector : struct where TSimd : ISimd<TVector>
        {
            TVector vm = TSimd.Create(mean), va = TSimd.Create(a), v0 = TSimd.Negate(TSimd.Create(c0)), v1 = TSimd.Create(c1);
            for (; i <= _n - TSimd.Count; i += TSimd.Count)
            {
                var g = TSimd.Multiply(TSimd.Load(ref _dy, (nuint)i), TSimd.Load(ref _w, (nuint)i));
                var t = TSimd.Subtract(TSimd.FusedMultiplyAdd(g, va, v0), TSimd.Multiply(TSimd.Subtract(TSimd.Load(ref _x, (nuint)i), vm), v1));
                TSimd.Store(accumulate ? TSimd.Add(TSimd.Load(ref _dx, (nuint)i), t) : t, ref _dx, (nuint)i);
            }
            return i;
        }
    }

    private readonly ref struct ChannelInputGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> k1, ReadOnlySpan<float> k2, ReadOnlySpan<float> k3, Span<float> dx, bool accumulate) : IWidthLoop
    {
        private readonly ref float _x = ref MemoryMarshal.GetReference(x), _dy = ref MemoryMarshal.GetReference(dy),
            _mean = ref MemoryMarshal.GetReference(mean), _k1 = ref MemoryMarshal.GetReference(k1), _k2 = ref MemoryMarshal.GetReference(k2),
            _k3 = ref MemoryMarshal.GetReference(k3), _dx = ref MemoryMarshal.GetReference(dx);
        private readonly int _n = x.Length;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int i) where TVector : struct where TSimd : ISimd<TVector>
        {
            for (; i <= _n - TSimd.Count; i += TSimd.Count)
            {
                var d = TSimd.Subtract(TSimd.Load(ref _x, (nuint)i), TSimd.Load(ref _mean, (nuint)i));
                var t = TSimd.FusedMultiplyAdd(TSimd.Load(ref _dy, (nuint)i), TSimd.Load(ref _k1, (nuint)i), TSimd.Load(ref _k3, (nuint)i));
                t = TSimd.FusedMultiplyAdd(d, TSimd.Load(ref _k2, (nuint)i), t);
                TSimd.Store(accumulate ? TSimd.Add(TSimd.Load(ref _dx, (nuint)i), t) : t, ref _dx, (nuint)i);
            }
            return i;
        }
    }
}
