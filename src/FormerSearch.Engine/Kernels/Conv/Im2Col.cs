using System.Numerics.Tensors;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Conv;

/// <summary>
/// im2col and its adjoint for channels-last convolution. The column matrix has one row per output
/// pixel, <c>[B·Ho·Wo, groups·Kh·Kw·Cg]</c>, each row laid out <c>[group][kh][kw][Cg]</c>, so group
/// <c>g</c>'s block times the OHWI weight rows of that group is the convolution (one GEMM per group).
/// </summary>
internal static class Im2Col
{
    // Pixels per parallel range: enough copying to amortise dispatch.
    private const int PixelGrain = 64;

    /// <summary>Fills <paramref name="col"/> (at least <c>B·Ho·Wo·K</c> floats) from the dense input <paramref name="x"/>.</summary>
    public static void Gather(float[] x, int xOffset, in ConvShape s, int groups, float[] col) =>
        ParallelRunner.For(s.OutputPixels, PixelGrain, new GatherBody { X = x, XOffset = xOffset, S = s, Groups = groups, Col = col });

    /// <summary>
    /// <c>dx += col2im(col)</c>: each input pixel sums, in a fixed order, the column entries that were
    /// copied from it. Written as a gather over input pixels so that threads never write the same pixel.
    /// </summary>
    public static void ScatterAdd(float[] col, in ConvShape s, int groups, float[] dx, int dxOffset) =>
        ParallelRunner.For(s.InputPixels, PixelGrain, new ScatterBody { Col = col, S = s, Groups = groups, Dx = dx, DxOffset = dxOffset });

    private struct GatherBody : IRangeBody
    {
        public float[] X, Col;
        public int XOffset, Groups;
        public ConvShape S;

        public readonly void Invoke(int start, int end)
        {
            var s = S;
            int c = s.C, cg = c / Groups, kg = s.Kh * s.Kw * cg, k = kg * Groups;
            int wo = s.Wo, ho = s.Ho;
            for (int p = start; p < end; p++)
            {
                int ox = p % wo, t = p / wo, oy = t % ho, b = t / ho;
                var row = Col.AsSpan(p * k, k);
                s.RowTaps(oy, out int iyBase, out int i0, out int i1);
                s.ColumnTaps(ox, out int ixBase, out int j0, out int j1);
                if (i0 > 0 || i1 < s.Kh || j0 > 0 || j1 < s.Kw) row.Clear();
                for (int i = i0; i < i1; i++)
                {
                    int src = XOffset + ((b * s.H + iyBase + i) * s.W + ixBase) * c;
                    if (Groups == 1)
                    {
                        // Consecutive kernel columns read consecutive input pixels whatever the stride: one run.
                        X.AsSpan(src + j0 * c, (j1 - j0) * c).CopyTo(row.Slice((i * s.Kw + j0) * c));
                        continue;
                    }
                    for (int g = 0; g < Groups; g++)
                        for (int j = j0; j < j1; j++)
                            X.AsSpan(src + j * c + g * cg, cg).CopyTo(row.Slice(g * kg + (i * s.Kw + j) * cg));
                }
            }
        }
    }

    private struct ScatterBody : IRangeBody
    {
        public float[] Col, Dx;
        public int DxOffset, Groups;
        public ConvShape S;

        public readonly void Invoke(int start, int end)
        {
            var s = S;
            int c = s.C, cg = c / Groups, kg = s.Kh * s.Kw * cg, k = kg * Groups;
            int wo = s.Wo, ho = s.Ho;
            int need = 2 * (s.Kh + s.Kw);
            Span<int> buffer = need <= 512 ? stackalloc int[512] : new int[need];
            Span<int> ti = buffer[..s.Kh], oys = buffer.Slice(s.Kh, s.Kh), tj = buffer.Slice(2 * s.Kh, s.Kw), oxs = buffer.Slice(2 * s.Kh + s.Kw, s.Kw);
            for (int p = start; p < end; p++)
            {
                int ix = p % s.W, t = p / s.W, iy = t % s.H, b = t / s.H;
                int ni = s.CoveringRows(iy, ti, oys);
                int nj = s.CoveringColumns(ix, tj, oxs);
                var dst = Dx.AsSpan(DxOffset + p * c, c);
                for (int a = 0; a < ni; a++)
                {
                    for (int e = 0; e < nj; e++)
                    {
                        int src = ((b * ho + oys[a]) * wo + oxs[e]) * k + (ti[a] * s.Kw + tj[e]) * cg;
                        for (int g = 0; g < Groups; g++)
                            TensorPrimitives.Add(dst.Slice(g * cg, cg), Col.AsSpan(src + g * kg, cg), dst.Slice(g * cg, cg));
                    }
                }
            }
        }
    }
}
