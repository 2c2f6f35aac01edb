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
    public static void Gather(FloatSlice x, in ConvShape s, int groups, FloatSlice col)
    {
        Require(x, col, s);
        ParallelRunner.For(s.OutputPixels, PixelGrain, new GatherBody(x, col, s, groups));
    }

    /// <summary>
    /// <c>dx += col2im(col)</c>, parallel over input rows so that threads never write the same pixel: a row
    /// adds, for each output row covering it (in a fixed order) and each output column, the run of column
    /// entries copied from it, which (for one group) is a single contiguous run of <c>kw·C</c> floats.
    /// </summary>
    public static void ScatterAdd(FloatSlice col, in ConvShape s, int groups, FloatSlice dx)
    {
        Require(dx, col, s);
        ParallelRunner.For(s.B * s.H, Math.Max(1, 16384 / Math.Max(1, s.W * s.C * s.Kw / Math.Max(1, s.Sw))), new CoveringWalk<ScatterRun>(s, new ScatterRun(col, dx, s, groups)));
    }

    /// <summary>Throws unless the input holds the shape's pixels and the column matrix one row of taps per output pixel.</summary>
    private static void Require(FloatSlice input, FloatSlice col, in ConvShape s)
    {
        input.Require((long)s.InputPixels * s.C, nameof(input));
        col.Require((long)s.OutputPixels * s.Kh * s.Kw * s.C, nameof(col));
    }

    /// <summary>
    /// Moves the entries of one kernel row of one output pixel between the input and the column matrix: from the input
    /// pixel under kernel column <paramref name="j0"/> on (<paramref name="inputAt"/> is the pixel under column 0) and
    /// the column row's entries of kernel column 0 (<paramref name="colAt"/>), for kernel columns <c>[j0, j1)</c>. For
    /// one group that is one run of <c>(j1 − j0)·C</c> floats (consecutive kernel columns read consecutive input pixels
    /// whatever the stride), else a run of <c>C/groups</c> per group and kernel column.
    /// </summary>
    private static void MoveKernelRow<TMove>(FloatSlice input, int inputAt, FloatSlice col, int colAt, int j0, int j1, in ConvShape s, int groups)
        where TMove : struct, IRunMove
    {
        int c = s.C;
        if (groups == 1)
        {
            TMove.Move(input.AsSpan(inputAt + j0 * c, (j1 - j0) * c), col.AsSpan(colAt + j0 * c, (j1 - j0) * c));
            return;
        }
        int cg = c / groups, kg = s.Kh * s.Kw * cg;
        for (int g = 0; g < groups; g++)
            for (int j = j0; j < j1; j++)
                TMove.Move(input.AsSpan(inputAt + j * c + g * cg, cg), col.AsSpan(colAt + g * kg + j * cg, cg));
    }

    /// <summary>What is done with one run of entries: copied into the column matrix, or added back to the input.</summary>
    private interface IRunMove
    {
        static abstract void Move(Span<float> input, Span<float> col);
    }

    private readonly struct CopyToColumns : IRunMove
    {
        public static void Move(Span<float> input, Span<float> col) => input.CopyTo(col);
    }

    private readonly struct AddToInput : IRunMove
    {
        public static void Move(Span<float> input, Span<float> col) => TensorPrimitives.Add(input, col, input);
    }

    private readonly struct GatherBody(FloatSlice x, FloatSlice col, ConvShape s, int groups) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int c = s.C, cg = c / groups, k = s.Kh * s.Kw * c;
            int wo = s.Wo, ho = s.Ho;
            for (int p = start; p < end; p++)
            {
                int ox = p % wo, t = p / wo, oy = t % ho, b = t / ho;
                s.RowTaps(oy, out int iyBase, out int i0, out int i1);
                s.ColumnTaps(ox, out int ixBase, out int j0, out int j1);
                if (i0 > 0 || i1 < s.Kh || j0 > 0 || j1 < s.Kw) col.AsSpan(p * k, k).Clear();
                for (int i = i0; i < i1; i++)
                    MoveKernelRow<CopyToColumns>(x, ((b * s.H + iyBase + i) * s.W + ixBase) * c, col, p * k + i * s.Kw * cg, j0, j1, s, groups);
            }
        }
    }

    /// <summary>Adds back the column entries one output pixel's kernel row copied from an input row.</summary>
    private readonly struct ScatterRun(FloatSlice col, FloatSlice dx, ConvShape s, int groups) : ICoveringVisitor
    {
        public void Visit(int outputPixel, int oy, int ox, int kernelRow, int inputPixel, int j0, int j1)
        {
            int c = s.C, colAt = outputPixel * s.Kh * s.Kw * c + kernelRow * s.Kw * (c / groups);
            MoveKernelRow<AddToInput>(dx, inputPixel * c, col, colAt, j0, j1, s, groups);
        }
    }
}
