using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FormerSearch.Engine.Kernels.Reductions;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Conv;

/// <summary>
/// Direct depthwise convolution on channels-last data, vectorised along the contiguous channels:
/// for each output pixel and block of 16 channels (8 with AVX2 only) the taps are accumulated in a register. The weight
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
    /// <c>dx += convᵀ(dy, wt)</c>, parallel over input rows (each pixel written by one thread): each pixel
    /// sums the taps covering it in a register, in a fixed order, then adds the sum.
    /// </summary>
    public static void BackwardInput(FloatSlice dy, FloatSlice wt, FloatSlice dx, in ConvShape s)
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
                    X = dy, Wt = flipped, Bias = null, Y = dx, S = t, Accumulate = true,
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
            Dy = dy, Wt = wt, Dx = dx, S = s,
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
            int c = s.C, wo = s.Wo, ho = s.Ho, kw = s.Kw;
            ref float xr = ref X.Start;
            ref float wr = ref Wt.Start;
            ref float yr = ref Y.Start;
            bool hasBias = Bias.HasValue;
            ref float br = ref hasBias ? ref Bias!.Value.Start : ref Unsafe.NullRef<float>();
            for (int row = start; row < end; row++)
            {
                // The kernel rows inside the input are the same for the whole output row.
                int oy = row % ho, b = row / ho;
                s.RowTaps(oy, out int iyBase, out int i0, out int i1);
                for (int ox = 0, p = row * wo; ox < wo; ox++, p++)
                {
                    s.ColumnTaps(ox, out int ixBase, out int j0, out int j1);
                    // Element index of input pixel (iyBase, ixBase) of image b, channel 0 (may lie outside; only valid taps are read).
                    int origin = ((b * s.H + iyBase) * s.W + ixBase) * c;
                    int yBase = p * c;
                    int ch = 0;
                    if (Vector512.IsHardwareAccelerated)
                    {
                        for (; ch <= c - 16; ch += 16)
                        {
                            var acc = Accumulate ? Vector512.LoadUnsafe(ref yr, (nuint)(yBase + ch))
                                : hasBias ? Vector512.LoadUnsafe(ref br, (nuint)ch) : Vector512<float>.Zero;
                            for (int i = i0; i < i1; i++)
                            {
                                int xi = origin + i * s.W * c + ch;
                                int wi = i * kw * c + ch;
                                for (int j = j0; j < j1; j++)
                                    acc = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, (nuint)(xi + j * c)), Vector512.LoadUnsafe(ref wr, (nuint)(wi + j * c)), acc);
                            }
                            acc.StoreUnsafe(ref yr, (nuint)(yBase + ch));
                        }
                    }
                    else if (Vector256.IsHardwareAccelerated)
                    {
                        for (; ch <= c - 8; ch += 8)
                        {
                            var acc = Accumulate ? Vector256.LoadUnsafe(ref yr, (nuint)(yBase + ch))
                                : hasBias ? Vector256.LoadUnsafe(ref br, (nuint)ch) : Vector256<float>.Zero;
                            for (int i = i0; i < i1; i++)
                            {
                                int xi = origin + i * s.W * c + ch;
                                int wi = i * kw * c + ch;
                                for (int j = j0; j < j1; j++)
                                    acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, (nuint)(xi + j * c)), Vector256.LoadUnsafe(ref wr, (nuint)(wi + j * c)), acc);
                            }
                            acc.StoreUnsafe(ref yr, (nuint)(yBase + ch));
                        }
                    }
                    for (; ch < c; ch++)
                    {
                        float acc = Accumulate ? Unsafe.Add(ref yr, yBase + ch) : hasBias ? Unsafe.Add(ref br, ch) : 0f;
                        for (int i = i0; i < i1; i++)
                        {
                            int xi = origin + i * s.W * c + ch;
                            int wi = i * kw * c + ch;
                            for (int j = j0; j < j1; j++)
                                acc = MathF.FusedMultiplyAdd(Unsafe.Add(ref xr, xi + j * c), Unsafe.Add(ref wr, wi + j * c), acc);
                        }
                        Unsafe.Add(ref yr, yBase + ch) = acc;
                    }
                }
            }
        }
    }

    private struct BackwardInputBody : IRangeBody
    {
        public FloatSlice Dy, Wt, Dx;
        public ConvShape S;

        public readonly void Invoke(int start, int end)
        {
            var s = S;
            int c = s.C, wo = s.Wo, kw = s.Kw;
            int need = 2 * (s.Kh + s.Kw);
            Span<int> buffer = need <= 512 ? stackalloc int[512] : new int[need];
            Span<int> ti = buffer[..s.Kh], oys = buffer.Slice(s.Kh, s.Kh), tj = buffer.Slice(2 * s.Kh, s.Kw), oxs = buffer.Slice(2 * s.Kh + s.Kw, s.Kw);
            ref float gr = ref Dy.Start;
            ref float wr = ref Wt.Start;
            ref float dr = ref Dx.Start;
            for (int row = start; row < end; row++)
            {
                // The output rows covering this input row are the same for all its pixels.
                int iy = row % s.H, b = row / s.H;
                int ni = s.CoveringRows(iy, ti, oys);
                int imageBase = b * s.Ho * wo * c;
                for (int ix = 0; ix < s.W; ix++)
                {
                    int nj = s.CoveringColumns(ix, tj, oxs);
                    int dBase = (row * s.W + ix) * c;
                    int ch = 0;
                    if (Vector512.IsHardwareAccelerated)
                    {
                        for (; ch <= c - 16; ch += 16)
                        {
                            var acc = Vector512<float>.Zero;
                            for (int a = 0; a < ni; a++)
                            {
                                int gRow = imageBase + oys[a] * wo * c + ch;
                                int wRow = ti[a] * kw * c + ch;
                                for (int e = 0; e < nj; e++)
                                    acc = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gr, (nuint)(gRow + oxs[e] * c)), Vector512.LoadUnsafe(ref wr, (nuint)(wRow + tj[e] * c)), acc);
                            }
                            (Vector512.LoadUnsafe(ref dr, (nuint)(dBase + ch)) + acc).StoreUnsafe(ref dr, (nuint)(dBase + ch));
                        }
                    }
                    else if (Vector256.IsHardwareAccelerated)
                    {
                        for (; ch <= c - 8; ch += 8)
                        {
                            var acc = Vector256<float>.Zero;
                            for (int a = 0; a < ni; a++)
                            {
                                int gRow = imageBase + oys[a] * wo * c + ch;
                                int wRow = ti[a] * kw * c + ch;
                                for (int e = 0; e < nj; e++)
                                    acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref gr, (nuint)(gRow + oxs[e] * c)), Vector256.LoadUnsafe(ref wr, (nuint)(wRow + tj[e] * c)), acc);
                            }
                            (Vector256.LoadUnsafe(ref dr, (nuint)(dBase + ch)) + acc).StoreUnsafe(ref dr, (nuint)(dBase + ch));
                        }
                    }
                    for (; ch < c; ch++)
                    {
                        float acc = 0f;
                        for (int a = 0; a < ni; a++)
                        {
                            int gRow = imageBase + oys[a] * wo * c + ch;
                            int wRow = ti[a] * kw * c + ch;
                            for (int e = 0; e < nj; e++)
                                acc = MathF.FusedMultiplyAdd(Unsafe.Add(ref gr, gRow + oxs[e] * c), Unsafe.Add(ref wr, wRow + tj[e] * c), acc);
                        }
                        Unsafe.Add(ref dr, dBase + ch) += acc;
                    }
                }
            }
        }
    }

    /// <summary>
    /// One output row's contribution (row = <c>b·Ho + oy</c>) to the weight gradient <c>[Kh, Kw, C]</c> and
    /// the bias gradient: per block of 16 (AVX2: 8) channels and tap, the products over the row's valid output
    /// columns are summed in a register, then added to the chunk's partial.
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
            ref float xr = ref x.Start;
            ref float gr = ref dy.Start;
            ref float pr = ref MemoryMarshal.GetReference(partial);
            if (withBias) ColumnSums.Add(dy.Slice(gRow, wo * c), c, 0, wo, partial.Slice(s.Kh * kw * c, c));
            for (int i = i0; i < i1; i++)
            {
                int xRow = (b * s.H + iyBase + i) * s.W * c;
                for (int j = 0; j < kw; j++)
                {
                    DepthwiseConv2dKernel.ValidColumns(s, j, out int lo, out int hi);
                    if (lo >= hi) continue;
                    int pBase = (i * kw + j) * c;
                    int ch = 0;
                    if (Vector512.IsHardwareAccelerated)
                    {
                        // 64 channels at a time: four independent FMA chains hide the FMA latency.
                        for (; ch <= c - 64; ch += 64)
                        {
                            Vector512<float> a0 = Vector512<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
                            for (int ox = lo, gi = gRow + lo * c + ch, xi = xRow + (lo * s.Sw - s.Pw + j) * c + ch; ox < hi; ox++, gi += c, xi += s.Sw * c)
                            {
                                a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gr, (nuint)gi), Vector512.LoadUnsafe(ref xr, (nuint)xi), a0);
                                a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gr, (nuint)(gi + 16)), Vector512.LoadUnsafe(ref xr, (nuint)(xi + 16)), a1);
                                a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gr, (nuint)(gi + 32)), Vector512.LoadUnsafe(ref xr, (nuint)(xi + 32)), a2);
                                a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gr, (nuint)(gi + 48)), Vector512.LoadUnsafe(ref xr, (nuint)(xi + 48)), a3);
                            }
                            int pi = pBase + ch;
                            (Vector512.LoadUnsafe(ref pr, (nuint)pi) + a0).StoreUnsafe(ref pr, (nuint)pi);
                            (Vector512.LoadUnsafe(ref pr, (nuint)(pi + 16)) + a1).StoreUnsafe(ref pr, (nuint)(pi + 16));
                            (Vector512.LoadUnsafe(ref pr, (nuint)(pi + 32)) + a2).StoreUnsafe(ref pr, (nuint)(pi + 32));
                            (Vector512.LoadUnsafe(ref pr, (nuint)(pi + 48)) + a3).StoreUnsafe(ref pr, (nuint)(pi + 48));
                        }
                        for (; ch <= c - 16; ch += 16)
                        {
                            var acc = Vector512<float>.Zero;
                            for (int ox = lo, gi = gRow + lo * c + ch, xi = xRow + (lo * s.Sw - s.Pw + j) * c + ch; ox < hi; ox++, gi += c, xi += s.Sw * c)
                                acc = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gr, (nuint)gi), Vector512.LoadUnsafe(ref xr, (nuint)xi), acc);
                            (Vector512.LoadUnsafe(ref pr, (nuint)(pBase + ch)) + acc).StoreUnsafe(ref pr, (nuint)(pBase + ch));
                        }
                    }
                    else if (Vector256.IsHardwareAccelerated)
                    {
                        // AVX2: 32 channels at a time, four independent FMA chains hide the FMA latency.
                        for (; ch <= c - 32; ch += 32)
                        {
                            Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
                            for (int ox = lo, gi = gRow + lo * c + ch, xi = xRow + (lo * s.Sw - s.Pw + j) * c + ch; ox < hi; ox++, gi += c, xi += s.Sw * c)
                            {
                                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref gr, (nuint)gi), Vector256.LoadUnsafe(ref xr, (nuint)xi), a0);
                                a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref gr, (nuint)(gi + 8)), Vector256.LoadUnsafe(ref xr, (nuint)(xi + 8)), a1);
                                a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref gr, (nuint)(gi + 16)), Vector256.LoadUnsafe(ref xr, (nuint)(xi + 16)), a2);
                                a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref gr, (nuint)(gi + 24)), Vector256.LoadUnsafe(ref xr, (nuint)(xi + 24)), a3);
                            }
                            int pi = pBase + ch;
                            (Vector256.LoadUnsafe(ref pr, (nuint)pi) + a0).StoreUnsafe(ref pr, (nuint)pi);
                            (Vector256.LoadUnsafe(ref pr, (nuint)(pi + 8)) + a1).StoreUnsafe(ref pr, (nuint)(pi + 8));
                            (Vector256.LoadUnsafe(ref pr, (nuint)(pi + 16)) + a2).StoreUnsafe(ref pr, (nuint)(pi + 16));
                            (Vector256.LoadUnsafe(ref pr, (nuint)(pi + 24)) + a3).StoreUnsafe(ref pr, (nuint)(pi + 24));
                        }
                        for (; ch <= c - 8; ch += 8)
                        {
                            var acc = Vector256<float>.Zero;
                            for (int ox = lo, gi = gRow + lo * c + ch, xi = xRow + (lo * s.Sw - s.Pw + j) * c + ch; ox < hi; ox++, gi += c, xi += s.Sw * c)
                                acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref gr, (nuint)gi), Vector256.LoadUnsafe(ref xr, (nuint)xi), acc);
                            (Vector256.LoadUnsafe(ref pr, (nuint)(pBase + ch)) + acc).StoreUnsafe(ref pr, (nuint)(pBase + ch));
                        }
                    }
                    for (; ch < c; ch++)
                    {
                        float acc = 0f;
                        for (int ox = lo, gi = gRow + lo * c + ch, xi = xRow + (lo * s.Sw - s.Pw + j) * c + ch; ox < hi; ox++, gi += c, xi += s.Sw * c)
                            acc = MathF.FusedMultiplyAdd(Unsafe.Add(ref gr, gi), Unsafe.Add(ref xr, xi), acc);
                        Unsafe.Add(ref pr, pBase + ch) += acc;
                    }
                }
            }
        }
    }
}
