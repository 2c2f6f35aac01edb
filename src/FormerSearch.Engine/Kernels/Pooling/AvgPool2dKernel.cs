using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FormerSearch.Engine.Kernels.Conv;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Pooling;

/// <summary>
/// Average pooling on channels-last data, vectorised along channels. The divisor follows PyTorch:
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

    /// <summary><c>y = avgpool(x)</c> over dense buffers.</summary>
    public static void Forward(float[] x, int xOffset, float[] y, int yOffset, in ConvShape s, bool countIncludePad) =>
        ParallelRunner.For(s.OutputPixels, PixelGrain, new ForwardBody { X = x, XOffset = xOffset, Y = y, YOffset = yOffset, S = s, IncludePad = countIncludePad });

    /// <summary><c>dx += avgpoolᵀ(dy)</c>, as a gather over input pixels.</summary>
    public static void Backward(float[] dy, int dyOffset, float[] dx, int dxOffset, in ConvShape s, bool countIncludePad) =>
        ParallelRunner.For(s.InputPixels, PixelGrain, new BackwardBody { Dy = dy, DyOffset = dyOffset, Dx = dx, DxOffset = dxOffset, S = s, IncludePad = countIncludePad });

    private struct ForwardBody : IRangeBody
    {
        public float[] X, Y;
        public int XOffset, YOffset;
        public ConvShape S;
        public bool IncludePad;

        public readonly void Invoke(int start, int end)
        {
            var s = S;
            int c = s.C, wo = s.Wo, ho = s.Ho;
            ref float xr = ref MemoryMarshal.GetArrayDataReference(X);
            ref float yr = ref MemoryMarshal.GetArrayDataReference(Y);
            for (int p = start; p < end; p++)
            {
                int ox = p % wo, t = p / wo, oy = t % ho, b = t / ho;
                s.RowTaps(oy, out int iyBase, out int i0, out int i1);
                s.ColumnTaps(ox, out int ixBase, out int j0, out int j1);
                float divisor = Divisor(s, oy, ox, IncludePad);
                var vd = Vector512.Create(divisor);
                int origin = XOffset + ((b * s.H + iyBase) * s.W + ixBase) * c;
                int yBase = YOffset + p * c;
                int ch = 0;
                for (; ch <= c - 16; ch += 16)
                {
                    var acc = Vector512<float>.Zero;
                    for (int i = i0; i < i1; i++)
                        for (int j = j0; j < j1; j++)
                            acc += Vector512.LoadUnsafe(ref xr, (nuint)(origin + (i * s.W + j) * c + ch));
                    (acc / vd).StoreUnsafe(ref yr, (nuint)(yBase + ch));
                }
                for (; ch < c; ch++)
                {
                    float acc = 0f;
                    for (int i = i0; i < i1; i++)
                        for (int j = j0; j < j1; j++)
                            acc += Unsafe.Add(ref xr, origin + (i * s.W + j) * c + ch);
                    Unsafe.Add(ref yr, yBase + ch) = acc / divisor;
                }
            }
        }
    }

    private struct BackwardBody : IRangeBody
    {
        public float[] Dy, Dx;
        public int DyOffset, DxOffset;
        public ConvShape S;
        public bool IncludePad;

        public readonly void Invoke(int start, int end)
        {
            var s = S;
            int c = s.C, wo = s.Wo, ho = s.Ho;
            int need = 2 * (s.Kh + s.Kw);
            Span<int> buffer = need <= 512 ? stackalloc int[512] : new int[need];
            Span<int> ti = buffer[..s.Kh], oys = buffer.Slice(s.Kh, s.Kh), tj = buffer.Slice(2 * s.Kh, s.Kw), oxs = buffer.Slice(2 * s.Kh + s.Kw, s.Kw);
            ref float gr = ref MemoryMarshal.GetArrayDataReference(Dy);
            ref float dr = ref MemoryMarshal.GetArrayDataReference(Dx);
            for (int p = start; p < end; p++)
            {
                int ix = p % s.W, t = p / s.W, iy = t % s.H, b = t / s.H;
                int ni = s.CoveringRows(iy, ti, oys);
                int nj = s.CoveringColumns(ix, tj, oxs);
                int dBase = DxOffset + p * c;
                int imageBase = DyOffset + b * ho * wo * c;
                for (int a = 0; a < ni; a++)
                {
                    for (int e = 0; e < nj; e++)
                    {
                        float divisor = Divisor(s, oys[a], oxs[e], IncludePad);
                        var vd = Vector512.Create(divisor);
                        int gBase = imageBase + (oys[a] * wo + oxs[e]) * c;
                        int ch = 0;
                        for (; ch <= c - 16; ch += 16)
                            (Vector512.LoadUnsafe(ref dr, (nuint)(dBase + ch)) + Vector512.LoadUnsafe(ref gr, (nuint)(gBase + ch)) / vd).StoreUnsafe(ref dr, (nuint)(dBase + ch));
                        for (; ch < c; ch++)
                            Unsafe.Add(ref dr, dBase + ch) += Unsafe.Add(ref gr, gBase + ch) / divisor;
                    }
                }
            }
        }
    }
}
