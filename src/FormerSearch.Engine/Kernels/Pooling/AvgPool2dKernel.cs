using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using FormerSearch.Engine.Kernels.Conv;
using FormerSearch.Engine.Kernels.Simd;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Pooling;

/// <summary>
/// Average pooling on channels-last data, vectorised along channels (the widest accelerated vectors, then single
/// floats; see <see cref="IWidthLoop"/>). The divisor follows PyTorch:
/// with <c>countIncludePad</c> the window clipped to the padded input, otherwise only the input
/// pixels it covers (PoolFormer's <c>count_include_pad=False</c>).
/// </summary>
internal static class AvgPool2dKernel
{
    private const int PixelGrain = 64;

    /// <summary>The divisor of output pixel (oy, ox).</summary>
    public static int Divisor(in ConvShape s, int oy, int ox, bool countIncludePad)
    {
        int h0 = oy * s.Sh - s.Ph, w0 = ox * s.Sw - s.Pw;
        int h1 = Math.Min(h0 + s.Kh, s.H + s.Ph), w1 = Math.Min(w0 + s.Kw, s.W + s.Pw);
        if (countIncludePad) return (h1 - h0) * (w1 - w0);
        return (Math.Min(h1, s.H) - Math.Max(h0, 0)) * (Math.Min(w1, s.W) - Math.Max(w0, 0));
    }

    /// <summary><c>y = avgpool(x)</c> over dense <c>[B, H, W, C]</c> and <c>[B, Ho, Wo, C]</c>.</summary>
    public static void Forward(FloatSlice x, FloatSlice y, in ConvShape s, bool countIncludePad)
    {
        Require(x, y, s);
        ParallelRunner.For(s.B * s.Ho, Math.Max(1, PixelGrain / Math.Max(1, s.Wo)), new ForwardBody(x, y, s, countIncludePad, accumulate: false));
    }

    /// <summary>
    /// <c>dx += avgpoolᵀ(dy)</c>, parallel over input rows (each written by one thread): for each output
    /// row covering the input row, in a fixed order, and each output pixel, <c>dy / divisor</c> is computed
    /// once and added to the run of input pixels its window covers.
    /// </summary>
    public static void Backward(FloatSlice dy, FloatSlice dx, in ConvShape s, bool countIncludePad)
    {
        Require(dx, dy, s);
        if (s.Sh == 1 && s.Sw == 1 && s.Ph < s.Kh && s.Pw < s.Kw)
        {
            // Stride 1: divide dy by each output's divisor once, then dx += the box sum of the scaled
            // gradient over the outputs covering each input (a forward pass with padding k − 1 − p, no divisor).
            int n = s.OutputPixels * s.C;
            float[] scaled = BufferPool.Rent(n);
            try
            {
                ParallelRunner.For(s.OutputPixels, PixelGrain, new ScaleBody(dy, scaled, s, countIncludePad));
                var t = new ConvShape(s.B, s.Ho, s.Wo, s.C, s.Kh, s.Kw, 1, 1, s.Kh - 1 - s.Ph, s.Kw - 1 - s.Pw);
                ParallelRunner.For(t.B * t.Ho, Math.Max(1, PixelGrain / Math.Max(1, t.Wo)), new ForwardBody(scaled, dx, t, includePad: false, accumulate: true));
            }
            finally
            {
                BufferPool.Return(scaled);
            }
            return;
        }
        ParallelRunner.For(s.B * s.H, Math.Max(1, 16384 / Math.Max(1, s.W * s.C)), new BackwardBody(dy, dx, s, countIncludePad));
    }

    /// <summary><c>scaled = dy / divisor</c> per output pixel.</summary>
    private readonly struct ScaleBody(FloatSlice dy, FloatSlice scaled, ConvShape s, bool includePad) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int c = s.C, wo = s.Wo, ho = s.Ho;
            for (int p = start; p < end; p++)
            {
                int ox = p % wo, oy = p / wo % ho;
                TensorPrimitives.Divide(dy.AsSpan(p * c, c), Divisor(s, oy, ox, includePad), scaled.AsSpan(p * c, c));
            }
        }
    }

    /// <summary>Throws unless the input and output slices hold the shape's pixels (the loops read them unchecked).</summary>
    private static void Require(FloatSlice input, FloatSlice output, in ConvShape s)
    {
        input.Require((long)s.InputPixels * s.C, nameof(input));
        output.Require((long)s.OutputPixels * s.C, nameof(output));
    }

    /// <summary>The window averages of output rows; with <paramref name="accumulate"/> the plain window sums added to <c>y</c> (the stride-1 backward).</summary>
    private readonly struct ForwardBody(FloatSlice x, FloatSlice y, ConvShape s, bool includePad, bool accumulate) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int c = s.C, wo = s.Wo, ho = s.Ho;
            for (int row = start; row < end; row++)
            {
                // The kernel rows inside the input are the same for the whole output row.
                int oy = row % ho, b = row / ho;
                s.RowTaps(oy, out int iyBase, out int i0, out int i1);
                for (int ox = 0, p = row * wo; ox < wo; ox++, p++)
                {
                    s.ColumnTaps(ox, out int ixBase, out int j0, out int j1);
                    float divisor = accumulate ? 1f : Divisor(s, oy, ox, includePad);
                    var window = new WindowSum(ref x.Start, ref y.Start, s, ((b * s.H + iyBase) * s.W + ixBase) * c, p * c, i0, i1, j0, j1, divisor, accumulate);
                    Widths.Run(ref window);
                }
            }
        }
    }

    /// <summary>
    /// One output pixel, per block of channels: the sum of the window's input pixels <c>[i0, i1) × [j0, j1)</c> in
    /// order, divided by the divisor, or added to the output unscaled when accumulating.
    /// </summary>
    private readonly ref struct WindowSum(ref float x, ref float y, in ConvShape s, int origin, int yBase,
        int i0, int i1, int j0, int j1, float divisor, bool accumulate) : IWidthLoop
    {
        private readonly ref float _x = ref x, _y = ref y;
        private readonly int _c = s.C, _w = s.W;

        /// <summary>Whole blocks of channels from <paramref name="ch"/> on; returns the first channel left.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int ch) where TVector : struct where TSimd : ISimd<TVector>
        {
            int c = _c;
            var vd = TSimd.Create(divisor);
            for (; ch <= c - TSimd.Count; ch += TSimd.Count)
            {
                var acc = TSimd.Zero;
                for (int i = i0; i < i1; i++)
                    for (int j = j0; j < j1; j++)
                        acc = TSimd.Add(acc, TSimd.Load(ref _x, (nuint)(origin + (i * _w + j) * c + ch)));
                var at = (nuint)(yBase + ch);
                TSimd.Store(accumulate ? TSimd.Add(TSimd.Load(ref _y, at), acc) : TSimd.Divide(acc, vd), ref _y, at);
            }
            return ch;
        }
    }

    /// <summary>The strided backward, parallel over input rows: each output pixel covering a row spreads its scaled gradient there.</summary>
    private readonly struct BackwardBody(FloatSlice dy, FloatSlice dx, ConvShape s, bool includePad) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int c = s.C, wo = s.Wo, ho = s.Ho;
            Span<int> buffer = s.Kh <= 256 ? stackalloc int[512] : new int[2 * s.Kh];
            Span<int> ti = buffer[..s.Kh], oys = buffer.Slice(s.Kh, s.Kh);
            for (int row = start; row < end; row++)
            {
                int ni = s.CoveringRows(row % s.H, ti, oys), b = row / s.H;
                for (int a = 0; a < ni; a++)
                {
                    int oy = oys[a];
                    for (int ox = 0; ox < wo; ox++)
                    {
                        s.ColumnTaps(ox, out int ixBase, out int j0, out int j1);
                        if (j1 <= j0) continue;
                        var spread = new SpreadScaled(ref dy.Start, ref dx.Start, c, ((b * ho + oy) * wo + ox) * c, (row * s.W + ixBase + j0) * c, j1 - j0,
                            Divisor(s, oy, ox, includePad));
                        Widths.Run(ref spread);
                    }
                }
            }
        }
    }

    /// <summary>
    /// One output pixel's gradient, per block of channels: <c>dy / divisor</c>, computed once and added to each of the
    /// <paramref name="pixels"/> consecutive input pixels of its window's row.
    /// </summary>
    private readonly ref struct SpreadScaled(ref float dy, ref float dx, int c, int gBase, int dBase, int pixels, float divisor) : IWidthLoop
    {
        private readonly ref float _dy = ref dy, _dx = ref dx;

        /// <summary>Whole blocks of channels from <paramref name="ch"/> on; returns the first channel left.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int ch) where TVector : struct where TSimd : ISimd<TVector>
        {
            var vd = TSimd.Create(divisor);
            for (; ch <= c - TSimd.Count; ch += TSimd.Count)
            {
                var v = TSimd.Divide(TSimd.Load(ref _dy, (nuint)(gBase + ch)), vd);
                for (int n = 0, di = dBase + ch; n < pixels; n++, di += c)
                    TSimd.Store(TSimd.Add(TSimd.Load(ref _dx, (nuint)di), v), ref _dx, (nuint)di);
            }
            return ch;
        }
    }
}
