using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using FormerSearch.Engine.Kernels.Elementwise;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Conv;

/// <summary>
/// im2col and its adjoint for channels-last convolution. The column matrix has one row per output
/// pixel, <c>[B·Ho·Wo, groups·Kh·Kw·Cg]</c>, each row laid out <c>[group][kh][kw][Cg]</c>, so group
/// <c>g</c>'s block times the OHWI weight rows of that group is the convolution (one GEMM per group).
/// </summary>
internal static unsafe class Im2Col
{
    // Pixels per parallel range: enough copying to amortise dispatch.
    private const int PixelGrain = 64;

    /// <summary>Fills <paramref name="col"/> (at least <c>B·Ho·Wo·K</c> floats) from the dense input <paramref name="x"/>.</summary>
    public static void Gather(FloatSlice x, in ConvShape s, int groups, FloatSlice col)
    {
        Require(x, col, s);
        ParallelRunner.For(s.OutputPixels, PixelGrain, new GatherBody { X = x, S = s, Groups = groups, Col = col });
    }

    /// <summary>
    /// Fills the first <c>(p1 − p0)·K</c> floats of <paramref name="col"/> with the column rows of output pixels
    /// <c>[p0, p1)</c> of a one-group convolution, on the calling thread.
    /// </summary>
    public static void GatherRows(FloatSlice x, in ConvShape s, int p0, int p1, FloatSlice col)
    {
        x.Require((long)s.InputPixels * s.C, nameof(x));
        col.Require((long)(p1 - p0) * s.Kh * s.Kw * s.C, nameof(col));
        new GatherBody { X = x, S = s, Groups = 1, Col = col, First = p0 }.Invoke(p0, p1);
    }

    /// <summary>
    /// <c>dx += col2im(col)</c> for the column rows of output pixels <c>[p0, p1)</c> of a one-group convolution (row
    /// <c>p − p0</c> of <paramref name="col"/>), on the calling thread: output row by output row (the kernel rows' taps
    /// found once per row), pixel by pixel, each kernel row adding one run of <c>kw·C</c> floats (<see cref="Pointwise"/>'s loop
    /// inlined: a library add call per 72-float run cost more than its few vectors).
    /// </summary>
    public static void ScatterAddRows(FloatSlice col, in ConvShape s, int p0, int p1, FloatSlice dx)
    {
        dx.Require((long)s.InputPixels * s.C, nameof(dx));
        int c = s.C, k = s.Kh * s.Kw * c, wo = s.Wo, ho = s.Ho, kw = s.Kw;
        col.Require((long)(p1 - p0) * k, nameof(col));
        fixed (float* d = dx.AsSpan(), cols = col.AsSpan())
        {
            for (int p = p0; p < p1;)
            {
                int ox = p % wo, t = p / wo, oy = t % ho, b = t / ho;
                s.RowTaps(oy, out int iyBase, out int i0, out int i1);
                float* image = d + (nint)(b * s.H + iyBase) * s.W * c;
                for (int rowEnd = Math.Min(p1, p + wo - ox); p < rowEnd; p++, ox++)
                {
                    s.ColumnTaps(ox, out int ixBase, out int j0, out int j1);
                    float* row = cols + (nint)(p - p0) * k, dst = image + (nint)(ixBase + j0) * c;
                    int run = (j1 - j0) * c;
                    for (int i = i0; i < i1; i++)
                    {
                        float* from = row + (i * kw + j0) * c, to = dst + (nint)i * s.W * c;
                        Pointwise.Run<BinaryOperators.Add, DenseOperand, DenseOperand>(ref *to, ref *from, ref *to, run, accumulate: false);
                    }
                }
            }
        }
    }

    /// <summary>
    /// <c>dx += col2im(col)</c>, parallel over input rows so that threads never write the same pixel: a row
    /// adds, for each output row covering it (in a fixed order) and each output column, the run of column
    /// entries copied from it, which (for one group) is a single contiguous run of <c>kw·C</c> floats.
    /// </summary>
    public static void ScatterAdd(FloatSlice col, in ConvShape s, int groups, FloatSlice dx)
    {
        Require(dx, col, s);
        ParallelRunner.For(s.B * s.H, Math.Max(1, 16384 / Math.Max(1, s.W * s.C * s.Kw / Math.Max(1, s.Sw))), new ScatterBody { Col = col, S = s, Groups = groups, Dx = dx });
    }

    /// <summary>Throws unless the input holds the shape's pixels and the column matrix one row of taps per output pixel.</summary>
    private static void Require(FloatSlice input, FloatSlice col, in ConvShape s)
    {
        input.Require((long)s.InputPixels * s.C, nameof(input));
        col.Require((long)s.OutputPixels * s.Kh * s.Kw * s.C, nameof(col));
    }

    private struct GatherBody : IRangeBody
    {
        public FloatSlice X, Col;
        public int Groups;
        public ConvShape S;

        // The output pixel whose row is the first of Col.
        public int First;

        public readonly void Invoke(int start, int end)
        {
            if (Groups == 1)
            {
                OneGroup(start, end);
                return;
            }
            var s = S;
            int c = s.C, cg = c / Groups, kg = s.Kh * s.Kw * cg, k = kg * Groups;
            int wo = s.Wo, ho = s.Ho;
            for (int p = start; p < end; p++)
            {
                int ox = p % wo, t = p / wo, oy = t % ho, b = t / ho;
                var row = Col.AsSpan((p - First) * k, k);
                s.RowTaps(oy, out int iyBase, out int i0, out int i1);
                s.ColumnTaps(ox, out int ixBase, out int j0, out int j1);
                if (i0 > 0 || i1 < s.Kh || j0 > 0 || j1 < s.Kw) row.Clear();
                for (int i = i0; i < i1; i++)
                {
                    int src = ((b * s.H + iyBase + i) * s.W + ixBase) * c;
                    for (int g = 0; g < Groups; g++)
                        for (int j = j0; j < j1; j++)
                            X.AsSpan(src + j * c + g * cg, cg).CopyTo(row.Slice(g * kg + (i * s.Kw + j) * cg));
                }
            }
        }

        /// <summary>
        /// Rows of a one-group convolution's column matrix, output row by output row (the kernel rows' taps found once per
        /// row): consecutive kernel columns read consecutive input pixels whatever the stride, so each kernel row's taps
        /// are one run, copied by <see cref="CopyRun"/> — a library copy call per run cost more than its few vectors (a
        /// 3×3 kernel over 24 channels copies runs of 72 floats; a BurgerFormer subnet's training step 3 % faster).
        /// </summary>
        private readonly void OneGroup(int start, int end)
        {
            var s = S;
            int c = s.C, k = s.Kh * s.Kw * c, wo = s.Wo, ho = s.Ho, kw = s.Kw;
            fixed (float* x = X.AsSpan(), col = Col.AsSpan())
            {
                for (int p = start; p < end;)
                {
                    int ox = p % wo, t = p / wo, oy = t % ho, b = t / ho;
                    s.RowTaps(oy, out int iyBase, out int i0, out int i1);
                    bool partialRows = i0 > 0 || i1 < s.Kh;
                    float* image = x + (nint)(b * s.H + iyBase) * s.W * c;
                    for (int rowEnd = Math.Min(end, p + wo - ox); p < rowEnd; p++, ox++)
                    {
                        float* row = col + (nint)(p - First) * k;
                        s.ColumnTaps(ox, out int ixBase, out int j0, out int j1);
                        if (partialRows || j0 > 0 || j1 < kw) new Span<float>(row, k).Clear();
                        int run = (j1 - j0) * c;
                        float* src = image + (nint)(ixBase + j0) * c;
                        for (int i = i0; i < i1; i++) CopyRun(src + (nint)i * s.W * c, row + (i * kw + j0) * c, run);
                    }
                }
            }
        }
    }

    /// <summary>Copies <paramref name="count"/> floats with whole vectors, the last one overlapping the one before.</summary>
    private static void CopyRun(float* src, float* dst, int count)
    {
        if (Vector512.IsHardwareAccelerated && count >= 16)
        {
            int i = 0;
            for (; i + 16 <= count; i += 16) Vector512.Store(Vector512.Load(src + i), dst + i);
            if (i < count) Vector512.Store(Vector512.Load(src + count - 16), dst + count - 16);
            return;
        }
        if (Vector256.IsHardwareAccelerated && count >= 8)
        {
            int i = 0;
            for (; i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
            if (i < count) Vector256.Store(Vector256.Load(src + count - 8), dst + count - 8);
            return;
        }
        for (int i = 0; i < count; i++) dst[i] = src[i];
    }

    private struct ScatterBody : IRangeBody
    {
        public FloatSlice Col, Dx;
        public int Groups;
        public ConvShape S;

        public readonly void Invoke(int start, int end)
        {
            var s = S;
            int c = s.C, cg = c / Groups, kg = s.Kh * s.Kw * cg, k = kg * Groups;
            int wo = s.Wo, ho = s.Ho;
            Span<int> buffer = s.Kh <= 256 ? stackalloc int[512] : new int[2 * s.Kh];
            Span<int> ti = buffer[..s.Kh], oys = buffer.Slice(s.Kh, s.Kh);
            for (int row = start; row < end; row++)
            {
                int iy = row % s.H, b = row / s.H;
                int ni = s.CoveringRows(iy, ti, oys);
                int dRow = row * s.W * c;
                for (int a = 0; a < ni; a++)
                {
                    int colRow = (b * ho + oys[a]) * wo * k + ti[a] * s.Kw * cg;
                    for (int ox = 0; ox < wo; ox++)
                    {
                        s.ColumnTaps(ox, out int ixBase, out int j0, out int j1);
                        if (j1 <= j0) continue;
                        int src = colRow + ox * k;
                        if (Groups == 1)
                        {
                            // Consecutive kernel columns came from consecutive input pixels: one run.
                            var dst = Dx.AsSpan(dRow + (ixBase + j0) * c, (j1 - j0) * c);
                            TensorPrimitives.Add(dst, Col.AsSpan(src + j0 * c, dst.Length), dst);
                            continue;
                        }
                        for (int g = 0; g < Groups; g++)
                        {
                            for (int j = j0; j < j1; j++)
                            {
                                var dst = Dx.AsSpan(dRow + (ixBase + j) * c + g * cg, cg);
                                TensorPrimitives.Add(dst, Col.AsSpan(src + g * kg + j * cg, cg), dst);
                            }
                        }
                    }
                }
            }
        }
    }
}
