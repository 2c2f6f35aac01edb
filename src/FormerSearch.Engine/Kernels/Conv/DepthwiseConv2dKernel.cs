using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FormerSearch.Engine.Kernels.Reductions;
using FormerSearch.Engine.Kernels.Simd;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Conv;

/// <summary>
/// Direct depthwise convolution on channels-last data, vectorised along the contiguous channels:
/// for each output pixel and block of channels (the widest accelerated vectors, then single floats) the taps are
/// accumulated in a register. The weight
/// is taken transposed to <c>[Kh, Kw, C]</c> so that a tap's channels are contiguous too.
/// Every tensor is a dense slice (<c>[B, H, W, C]</c>, <c>[Kh, Kw, C]</c>, <c>[C]</c>).
/// </summary>
internal static class DepthwiseConv2dKernel
{
    private const int PixelGrain = 32;

    /// <summary><c>y = conv(x, wt) + bias</c>; <paramref name="bias"/> null for none.</summary>
    public static void Forward(FloatSlice x, FloatSlice wt, FloatSlice? bias, FloatSlice y, in ConvShape s)
    {
        Require(x, wt, y, s);
        bias?.Require(s.C, nameof(bias));
        ParallelRunner.For(s.B * s.Ho, Math.Max(1, PixelGrain / Math.Max(1, s.Wo)), new ForwardBody { X = x, Wt = wt, Bias = bias, Y = y, S = s });
    }

    /// <summary>
    /// <c>dx += convᵀ(dy, wt)</c> (<c>=</c> without <paramref name="accumulate"/>), parallel over input rows (each pixel
    /// written by one thread): each pixel sums the taps covering it in a register, in a fixed order, then adds or stores the sum.
    /// </summary>
    public static void BackwardInput(FloatSlice dy, FloatSlice wt, FloatSlice dx, in ConvShape s, bool accumulate)
    {
        Require(dx, wt, dy, s);
        if (s.Sh == 1 && s.Sw == 1 && s.Ph < s.Kh && s.Pw < s.Kw)
        {
            // Stride 1: dx is the forward convolution of dy with the kernel flipped in both axes and padding
            // k − 1 − p, which runs the register-accumulating forward loop with no per-tap bookkeeping.
            int kh = s.Kh, kw = s.Kw, c = s.C;
            float[] flipped = BufferPool.Rent(kh * kw * c);
            try
            {
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++)
                        wt.AsSpan(((kh - 1 - i) * kw + (kw - 1 - j)) * c, c).CopyTo(flipped.AsSpan((i * kw + j) * c, c));
                var t = new ConvShape(s.B, s.Ho, s.Wo, c, kh, kw, 1, 1, kh - 1 - s.Ph, kw - 1 - s.Pw);
                ParallelRunner.For(t.B * t.Ho, Math.Max(1, PixelGrain / Math.Max(1, t.Wo)), new ForwardBody
                {
                    X = dy, Wt = flipped, Bias = null, Y = dx, S = t, Accumulate = accumulate,
                });
            }
            finally
            {
                BufferPool.Return(flipped);
            }
            return;
        }
        ParallelRunner.For(s.B * s.H, RowGrain(s.W * s.C), new BackwardInputBody
        {
            Dy = dy, Wt = wt, Dx = dx, S = s, Accumulate = accumulate,
        });
    }

    /// <summary>
    /// Sets <paramref name="result"/> (<c>Kh·Kw·C</c>, plus <c>C</c> more when <paramref name="withBias"/>)
    /// to the weight gradient in <c>[Kh, Kw, C]</c> layout followed by the bias gradient. Deterministic
    /// for any thread count (fixed chunks of output pixels).
    /// </summary>
    public static void BackwardWeight(FloatSlice x, FloatSlice dy, in ConvShape s, bool withBias, Span<float> result)
    {
        x.Require((long)s.InputPixels * s.C, nameof(x));
        dy.Require((long)s.OutputPixels * s.C, nameof(dy));
        if (result.Length < s.Kh * s.Kw * s.C + (withBias ? s.C : 0))
            throw new ArgumentException($"The depthwise weight gradient needs {s.Kh * s.Kw * s.C + (withBias ? s.C : 0)} floats; got {result.Length}.", nameof(result));
        ChunkedReduction.Run(s.B * s.Ho, new WeightReducer(x, dy, s, withBias), result);
    }

    /// <summary>Throws unless the slices hold the shape's input, weight and output (the loops read them unchecked).</summary>
    private static void Require(FloatSlice input, FloatSlice weight, FloatSlice output, in ConvShape s)
    {
        input.Require((long)s.InputPixels * s.C, nameof(input));
        weight.Require((long)s.Kh * s.Kw * s.C, nameof(weight));
        output.Require((long)s.OutputPixels * s.C, nameof(output));
    }

    /// <summary>Rows per parallel range for rows of <paramref name="rowFloats"/> floats: about 16K floats of work each.</summary>
    internal static int RowGrain(int rowFloats) => Math.Max(1, 16384 / Math.Max(1, rowFloats));

    /// <summary>
    /// The output columns <c>[lo, hi)</c> whose kernel column <paramref name="j"/> lands inside the input
    /// (input column <c>ox·Sw − Pw + j</c> in <c>[0, W)</c>).
    /// </summary>
    internal static void ValidColumns(in ConvShape s, int j, out int lo, out int hi)
    {
        int first = s.Pw - j;  // ox·Sw ≥ Pw − j
        lo = first <= 0 ? 0 : (first + s.Sw - 1) / s.Sw;
        int last = s.W - 1 + s.Pw - j;  // ox·Sw ≤ W − 1 + Pw − j
        hi = last < 0 ? 0 : Math.Min(s.Wo, last / s.Sw + 1);
        if (hi < lo) hi = lo;
    }

    private struct ForwardBody : IRangeBody
    {
        public FloatSlice X, Wt, Y;
        public FloatSlice? Bias;
        public ConvShape S;
        /// <summary>Add to <c>Y</c> instead of overwriting it (the input gradient).</summary>
        public bool Accumulate;

        public readonly void Invoke(int start, int end)
        {
            var s = S;
            bool hasBias = Bias.HasValue;
            ref float br = ref hasBias ? ref Bias!.Value.Start : ref Unsafe.NullRef<float>();
            for (int row = start; row < end; row++)
            {
                var taps = new RowTaps(ref X.Start, ref Wt.Start, ref Y.Start, ref br, s, row, Accumulate, hasBias);
                Widths.Run(ref taps);
            }
        }
    }

    /// <summary>
    /// One output row (<c>b·Ho + oy</c>), per pixel and block of channels: the start (the output itself when
    /// accumulating, else the bias or 0) plus the pixel's taps inside the input, summed in a register in tap order.
    /// Each width's pass covers every pixel of the row, so the per-row set-up is paid once.
    /// </summary>
    private readonly ref struct RowTaps : IWidthLoop
    {
        private readonly ref float _x, _w, _y, _bias;
        private readonly ConvShape _s;
        private readonly int _origin, _yRow, _i0, _i1;
        private readonly bool _accumulate, _hasBias;

        public RowTaps(ref float x, ref float w, ref float y, ref float bias, in ConvShape s, int row, bool accumulate, bool hasBias)
        {
            _x = ref x;
            _w = ref w;
            _y = ref y;
            _bias = ref bias;
            _s = s;
            // The kernel rows inside the input are the same for the whole output row.
            int oy = row % s.Ho, b = row / s.Ho;
            s.RowTaps(oy, out int iyBase, out _i0, out _i1);
            // Element index of input pixel (iyBase, 0) of image b, channel 0 (may lie outside; only valid taps are read).
            _origin = (b * s.H + iyBase) * s.W * s.C;
            _yRow = row * s.Wo * s.C;
            (_accumulate, _hasBias) = (accumulate, hasBias);
        }

        /// <summary>Whole blocks of channels from <paramref name="from"/> on, in every pixel; returns the first channel left.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int from) where TVector : struct where TSimd : ISimd<TVector>
        {
            var s = _s;
            int c = s.C, wo = s.Wo, xRow = s.W * c, wRow = s.Kw * c, ch = from;
            for (int ox = 0; ox < wo; ox++)
            {
                s.ColumnTaps(ox, out int ixBase, out int j0, out int j1);
                int origin = _origin + ixBase * c, yBase = _yRow + ox * c;
                for (ch = from; ch <= c - TSimd.Count; ch += TSimd.Count)
                {
                    var acc = _accumulate ? TSimd.Load(ref _y, (nuint)(yBase + ch)) : _hasBias ? TSimd.Load(ref _bias, (nuint)ch) : TSimd.Zero;
                    for (int i = _i0; i < _i1; i++)
                    {
                        int xi = origin + i * xRow + ch;
                        int wi = i * wRow + ch;
                        for (int j = j0; j < j1; j++)
                            acc = TSimd.FusedMultiplyAdd(TSimd.Load(ref _x, (nuint)(xi + j * c)), TSimd.Load(ref _w, (nuint)(wi + j * c)), acc);
                    }
                    TSimd.Store(acc, ref _y, (nuint)(yBase + ch));
                }
            }
            return ch;
        }
    }

    private struct BackwardInputBody : IRangeBody
    {
        public FloatSlice Dy, Wt, Dx;
        public ConvShape S;
        public bool Accumulate;

        public readonly void Invoke(int start, int end)
        {
            var s = S;
            int need = 2 * (s.Kh + s.Kw);
            Span<int> buffer = need <= 512 ? stackalloc int[512] : new int[need];
            Span<int> ti = buffer[..s.Kh], oys = buffer.Slice(s.Kh, s.Kh), tj = buffer.Slice(2 * s.Kh, s.Kw), oxs = buffer.Slice(2 * s.Kh + s.Kw, s.Kw);
            for (int row = start; row < end; row++)
            {
                // The output rows covering this input row are the same for all its pixels.
                int iy = row % s.H, b = row / s.H;
                int ni = s.CoveringRows(iy, ti, oys);
                for (int ix = 0; ix < s.W; ix++)
                {
                    int nj = s.CoveringColumns(ix, tj, oxs);
                    var covering = new CoveringTaps(ref Dy.Start, ref Wt.Start, ref Dx.Start, s, b * s.Ho * s.Wo * s.C, (row * s.W + ix) * s.C,
                        ti[..ni], oys[..ni], tj[..nj], oxs[..nj], Accumulate);
                    Widths.Run(ref covering);
                }
            }
        }
    }

    /// <summary>
    /// One input pixel of the input gradient, per block of channels: the (output pixel, tap) pairs covering it, summed
    /// in a register in a fixed order, then added to <c>dx</c> (stored without <c>accumulate</c>).
    /// </summary>
    private readonly ref struct CoveringTaps(ref float dy, ref float w, ref float dx, in ConvShape s, int imageBase, int dBase,
        ReadOnlySpan<int> rowTaps, ReadOnlySpan<int> outRows, ReadOnlySpan<int> columnTaps, ReadOnlySpan<int> outColumns, bool accumulate) : IWidthLoop
    {
        private readonly ref float _dy = ref dy, _w = ref w, _dx = ref dx;
        private readonly ReadOnlySpan<int> _ti = rowTaps, _oys = outRows, _tj = columnTaps, _oxs = outColumns;
        private readonly int _c = s.C, _dyRow = s.Wo * s.C, _wRow = s.Kw * s.C;

        /// <summary>Whole blocks of channels from <paramref name="ch"/> on; returns the first channel left.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int ch) where TVector : struct where TSimd : ISimd<TVector>
        {
            int c = _c;
            for (; ch <= c - TSimd.Count; ch += TSimd.Count)
            {
                var acc = TSimd.Zero;
                for (int a = 0; a < _ti.Length; a++)
                {
                    int gRow = imageBase + _oys[a] * _dyRow + ch;
                    int wRow = _ti[a] * _wRow + ch;
                    for (int e = 0; e < _tj.Length; e++)
                        acc = TSimd.FusedMultiplyAdd(TSimd.Load(ref _dy, (nuint)(gRow + _oxs[e] * c)), TSimd.Load(ref _w, (nuint)(wRow + _tj[e] * c)), acc);
                }
                TSimd.Store(accumulate ? TSimd.Add(TSimd.Load(ref _dx, (nuint)(dBase + ch)), acc) : acc, ref _dx, (nuint)(dBase + ch));
            }
            return ch;
        }
    }

    /// <summary>
    /// One output row's contribution (row = <c>b·Ho + oy</c>) to the weight gradient <c>[Kh, Kw, C]</c> and
    /// the bias gradient: per block of channels and tap, the products over the row's valid output columns are
    /// summed in a register, then added to the chunk's partial.
    /// </summary>
    private readonly struct WeightReducer(FloatSlice x, FloatSlice dy, ConvShape s, bool withBias) : IRowReducer
    {
        public void AddRows(int first, int last, Span<float> partial)
        {
            for (int row = first; row < last; row++) AddRow(row, partial);
        }

        private void AddRow(int row, Span<float> partial)
        {
            int c = s.C, wo = s.Wo, kw = s.Kw;
            int oy = row % s.Ho, b = row / s.Ho;
            s.RowTaps(oy, out int iyBase, out int i0, out int i1);
            int gRow = row * wo * c;
            if (withBias) ColumnSums.Add(dy.Slice(gRow, wo * c), c, 0, wo, partial.Slice(s.Kh * kw * c, c));
            for (int i = i0; i < i1; i++)
            {
                int xRow = (b * s.H + iyBase + i) * s.W * c;
                for (int j = 0; j < kw; j++)
                {
                    DepthwiseConv2dKernel.ValidColumns(s, j, out int lo, out int hi);
                    if (lo >= hi) continue;
                    var tap = new TapProducts(ref dy.Start, ref x.Start, ref MemoryMarshal.GetReference(partial), s,
                        gRow + lo * c, xRow + (lo * s.Sw - s.Pw + j) * c, (i * kw + j) * c, hi - lo);
                    Widths.Run(ref tap);
                }
            }
        }
    }

    /// <summary>
    /// One tap's weight gradient over one output row, per block of channels: <c>Σ dy·x</c> over the row's valid output
    /// columns in a register, added to the partial; four blocks at a time (four independent FMA chains hide the FMA
    /// latency), then single blocks.
    /// </summary>
    private readonly ref struct TapProducts(ref float dy, ref float x, ref float partial, in ConvShape s,
        int gStart, int xStart, int pBase, int columns) : IWidthLoop
    {
        private readonly ref float _dy = ref dy, _x = ref x, _partial = ref partial;
        private readonly int _c = s.C, _xStep = s.Sw * s.C;

        /// <summary>Whole blocks of channels from <paramref name="ch"/> on; returns the first channel left.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int ch) where TVector : struct where TSimd : ISimd<TVector>
        {
            int c = _c, w = TSimd.Count;
            for (; ch <= c - 4 * w; ch += 4 * w)
            {
                TVector a0 = TSimd.Zero, a1 = a0, a2 = a0, a3 = a0;
                for (int n = 0, gi = gStart + ch, xi = xStart + ch; n < columns; n++, gi += c, xi += _xStep)
                {
                    a0 = TSimd.FusedMultiplyAdd(TSimd.Load(ref _dy, (nuint)gi), TSimd.Load(ref _x, (nuint)xi), a0);
                    a1 = TSimd.FusedMultiplyAdd(TSimd.Load(ref _dy, (nuint)(gi + w)), TSimd.Load(ref _x, (nuint)(xi + w)), a1);
                    a2 = TSimd.FusedMultiplyAdd(TSimd.Load(ref _dy, (nuint)(gi + 2 * w)), TSimd.Load(ref _x, (nuint)(xi + 2 * w)), a2);
                    a3 = TSimd.FusedMultiplyAdd(TSimd.Load(ref _dy, (nuint)(gi + 3 * w)), TSimd.Load(ref _x, (nuint)(xi + 3 * w)), a3);
                }
                AddTo<TVector, TSimd>(pBase + ch, a0);
                AddTo<TVector, TSimd>(pBase + ch + w, a1);
                AddTo<TVector, TSimd>(pBase + ch + 2 * w, a2);
                AddTo<TVector, TSimd>(pBase + ch + 3 * w, a3);
            }
            for (; ch <= c - w; ch += w)
            {
                var acc = TSimd.Zero;
                for (int n = 0, gi = gStart + ch, xi = xStart + ch; n < columns; n++, gi += c, xi += _xStep)
                    acc = TSimd.FusedMultiplyAdd(TSimd.Load(ref _dy, (nuint)gi), TSimd.Load(ref _x, (nuint)xi), acc);
                AddTo<TVector, TSimd>(pBase + ch, acc);
            }
            return ch;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void AddTo<TVector, TSimd>(int at, TVector sum) where TVector : struct where TSimd : ISimd<TVector> =>
            TSimd.Store(TSimd.Add(TSimd.Load(ref _partial, (nuint)at), sum), ref _partial, (nuint)at);
    }
}
