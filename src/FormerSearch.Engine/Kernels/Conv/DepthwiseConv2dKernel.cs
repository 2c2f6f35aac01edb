using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FormerSearch.Engine.Kernels.Norms;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Conv;

/// <summary>
/// Direct depthwise convolution on channels-last data, vectorised along the contiguous channels:
/// for each output pixel and block of 16 channels the taps are accumulated in a register. The weight
/// is taken transposed to <c>[Kh, Kw, C]</c> so that a tap's channels are contiguous too.
/// All buffers are dense; offsets locate the tensors inside them.
/// </summary>
internal static class DepthwiseConv2dKernel
{
    private const int PixelGrain = 32;

    /// <summary><c>y = conv(x, wt) + bias</c>; <paramref name="bias"/> null for none.</summary>
    public static void Forward(float[] x, int xOffset, float[] wt, int wtOffset, float[]? bias, int biasOffset, float[] y, int yOffset, in ConvShape s) =>
        ParallelRunner.For(s.OutputPixels, PixelGrain, new ForwardBody
        {
            X = x, XOffset = xOffset, Wt = wt, WtOffset = wtOffset, Bias = bias, BiasOffset = biasOffset, Y = y, YOffset = yOffset, S = s,
        });

    /// <summary><c>dx += convᵀ(dy, wt)</c>, as a gather over input pixels (each written by one thread, taps in fixed order).</summary>
    public static void BackwardInput(float[] dy, int dyOffset, float[] wt, int wtOffset, float[] dx, int dxOffset, in ConvShape s) =>
        ParallelRunner.For(s.InputPixels, PixelGrain, new BackwardInputBody
        {
            Dy = dy, DyOffset = dyOffset, Wt = wt, WtOffset = wtOffset, Dx = dx, DxOffset = dxOffset, S = s,
        });

    /// <summary>
    /// Sets <paramref name="result"/> (<c>Kh·Kw·C</c>, plus <c>C</c> more when <paramref name="withBias"/>)
    /// to the weight gradient in <c>[Kh, Kw, C]</c> layout followed by the bias gradient. Deterministic
    /// for any thread count (fixed chunks of output pixels).
    /// </summary>
    public static void BackwardWeight(float[] x, int xOffset, float[] dy, int dyOffset, in ConvShape s, bool withBias, Span<float> result) =>
        ChunkedReduction.Run(s.OutputPixels, new WeightReducer(x, xOffset, dy, dyOffset, s, withBias), result);

    private struct ForwardBody : IRangeBody
    {
        public float[] X, Wt, Y;
        public float[]? Bias;
        public int XOffset, WtOffset, BiasOffset, YOffset;
        public ConvShape S;

        public readonly void Invoke(int start, int end)
        {
            var s = S;
            int c = s.C, wo = s.Wo, ho = s.Ho, kw = s.Kw;
            ref float xr = ref MemoryMarshal.GetArrayDataReference(X);
            ref float wr = ref MemoryMarshal.GetArrayDataReference(Wt);
            ref float yr = ref MemoryMarshal.GetArrayDataReference(Y);
            ref float br = ref Bias is null ? ref Unsafe.NullRef<float>() : ref MemoryMarshal.GetArrayDataReference(Bias);
            bool hasBias = Bias is not null;
            for (int p = start; p < end; p++)
            {
                int ox = p % wo, t = p / wo, oy = t % ho, b = t / ho;
                s.RowTaps(oy, out int iyBase, out int i0, out int i1);
                s.ColumnTaps(ox, out int ixBase, out int j0, out int j1);
                // Element index of input pixel (iyBase, ixBase) of image b, channel 0 (may lie outside; only valid taps are read).
                int origin = XOffset + ((b * s.H + iyBase) * s.W + ixBase) * c;
                int yBase = YOffset + p * c;
                int ch = 0;
                for (; ch <= c - 16; ch += 16)
                {
                    var acc = hasBias ? Vector512.LoadUnsafe(ref br, (nuint)(BiasOffset + ch)) : Vector512<float>.Zero;
                    for (int i = i0; i < i1; i++)
                    {
                        int xi = origin + i * s.W * c + ch;
                        int wi = WtOffset + i * kw * c + ch;
                        for (int j = j0; j < j1; j++)
                            acc = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, (nuint)(xi + j * c)), Vector512.LoadUnsafe(ref wr, (nuint)(wi + j * c)), acc);
                    }
                    acc.StoreUnsafe(ref yr, (nuint)(yBase + ch));
                }
                for (; ch < c; ch++)
                {
                    float acc = hasBias ? Unsafe.Add(ref br, BiasOffset + ch) : 0f;
                    for (int i = i0; i < i1; i++)
                    {
                        int xi = origin + i * s.W * c + ch;
                        int wi = WtOffset + i * kw * c + ch;
                        for (int j = j0; j < j1; j++)
                            acc = MathF.FusedMultiplyAdd(Unsafe.Add(ref xr, xi + j * c), Unsafe.Add(ref wr, wi + j * c), acc);
                    }
                    Unsafe.Add(ref yr, yBase + ch) = acc;
                }
            }
        }
    }

    private struct BackwardInputBody : IRangeBody
    {
        public float[] Dy, Wt, Dx;
        public int DyOffset, WtOffset, DxOffset;
        public ConvShape S;

        public readonly void Invoke(int start, int end)
        {
            var s = S;
            int c = s.C, wo = s.Wo, ho = s.Ho, kw = s.Kw;
            int need = 2 * (s.Kh + s.Kw);
            Span<int> buffer = need <= 512 ? stackalloc int[512] : new int[need];
            Span<int> ti = buffer[..s.Kh], oys = buffer.Slice(s.Kh, s.Kh), tj = buffer.Slice(2 * s.Kh, s.Kw), oxs = buffer.Slice(2 * s.Kh + s.Kw, s.Kw);
            ref float gr = ref MemoryMarshal.GetArrayDataReference(Dy);
            ref float wr = ref MemoryMarshal.GetArrayDataReference(Wt);
            ref float dr = ref MemoryMarshal.GetArrayDataReference(Dx);
            for (int p = start; p < end; p++)
            {
                int ix = p % s.W, t = p / s.W, iy = t % s.H, b = t / s.H;
                int ni = s.CoveringRows(iy, ti, oys);
                int nj = s.CoveringColumns(ix, tj, oxs);
                int dBase = DxOffset + p * c;
                int imageBase = DyOffset + b * ho * wo * c;
                int ch = 0;
                for (; ch <= c - 16; ch += 16)
                {
                    var acc = Vector512<float>.Zero;
                    for (int a = 0; a < ni; a++)
                    {
                        int gRow = imageBase + oys[a] * wo * c + ch;
                        int wRow = WtOffset + ti[a] * kw * c + ch;
                        for (int e = 0; e < nj; e++)
                            acc = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gr, (nuint)(gRow + oxs[e] * c)), Vector512.LoadUnsafe(ref wr, (nuint)(wRow + tj[e] * c)), acc);
                    }
                    (Vector512.LoadUnsafe(ref dr, (nuint)(dBase + ch)) + acc).StoreUnsafe(ref dr, (nuint)(dBase + ch));
                }
                for (; ch < c; ch++)
                {
                    float acc = 0f;
                    for (int a = 0; a < ni; a++)
                    {
                        int gRow = imageBase + oys[a] * wo * c + ch;
                        int wRow = WtOffset + ti[a] * kw * c + ch;
                        for (int e = 0; e < nj; e++)
                            acc = MathF.FusedMultiplyAdd(Unsafe.Add(ref gr, gRow + oxs[e] * c), Unsafe.Add(ref wr, wRow + tj[e] * c), acc);
                    }
                    Unsafe.Add(ref dr, dBase + ch) += acc;
                }
            }
        }
    }

    private readonly struct WeightReducer(float[] x, int xOffset, float[] dy, int dyOffset, ConvShape s, bool withBias) : IRowReducer
    {
        public void AddRow(int p, Span<float> partial)
        {
            int c = s.C, wo = s.Wo, ho = s.Ho;
            int ox = p % wo, t = p / wo, oy = t % ho, b = t / ho;
            s.RowTaps(oy, out int iyBase, out int i0, out int i1);
            s.ColumnTaps(ox, out int ixBase, out int j0, out int j1);
            var g = dy.AsSpan(dyOffset + p * c, c);
            if (withBias)
            {
                var gb = partial.Slice(s.Kh * s.Kw * c, c);
                TensorPrimitives.Add(gb, g, gb);
            }
            int origin = xOffset + ((b * s.H + iyBase) * s.W + ixBase) * c;
            for (int i = i0; i < i1; i++)
            {
                for (int j = j0; j < j1; j++)
                {
                    var acc = partial.Slice((i * s.Kw + j) * c, c);
                    TensorPrimitives.MultiplyAdd(g, x.AsSpan(origin + (i * s.W + j) * c, c), acc, acc);
                }
            }
        }
    }
}
