namespace FormerSearch.Engine.Kernels.Conv;

/// <summary>
/// The geometry of a sliding-window op on a channels-last <c>[B, H, W, C]</c> input: kernel, stride,
/// zero padding and the resulting output size (floor mode, as PyTorch).
/// </summary>
internal readonly record struct ConvShape(int B, int H, int W, int C, int Kh, int Kw, int Sh, int Sw, int Ph, int Pw)
{
    /// <summary>Output height.</summary>
    public int Ho => (H + 2 * Ph - Kh) / Sh + 1;

    /// <summary>Output width.</summary>
    public int Wo => (W + 2 * Pw - Kw) / Sw + 1;

    /// <summary>Output pixels <c>B·Ho·Wo</c>.</summary>
    public int OutputPixels => B * Ho * Wo;

    /// <summary>Input pixels <c>B·H·W</c>.</summary>
    public int InputPixels => B * H * W;

    /// <summary>
    /// The kernel rows <c>[i0, i1)</c> that land inside the input for output row <paramref name="oy"/>,
    /// and the input row of kernel row 0 (<paramref name="iyBase"/>, possibly negative).
    /// </summary>
    public void RowTaps(int oy, out int iyBase, out int i0, out int i1)
    {
        iyBase = oy * Sh - Ph;
        i0 = Math.Max(0, -iyBase);
        i1 = Math.Min(Kh, H - iyBase);
    }

    /// <summary>The kernel columns <c>[j0, j1)</c> inside the input for output column <paramref name="ox"/>.</summary>
    public void ColumnTaps(int ox, out int ixBase, out int j0, out int j1)
    {
        ixBase = ox * Sw - Pw;
        j0 = Math.Max(0, -ixBase);
        j1 = Math.Min(Kw, W - ixBase);
    }

    /// <summary>
    /// Lists the (kernel row, output row) pairs whose window covers input row <paramref name="iy"/>
    /// into <paramref name="taps"/> and <paramref name="outs"/>; returns how many.
    /// </summary>
    public int CoveringRows(int iy, Span<int> taps, Span<int> outs) => Covering(iy, Kh, Sh, Ph, Ho, taps, outs);

    /// <summary>As <see cref="CoveringRows"/>, for input column <paramref name="ix"/>.</summary>
    public int CoveringColumns(int ix, Span<int> taps, Span<int> outs) => Covering(ix, Kw, Sw, Pw, Wo, taps, outs);

    private static int Covering(int index, int k, int stride, int pad, int outSize, Span<int> taps, Span<int> outs)
    {
        int n = 0;
        if (stride == 1)
        {
            // Every tap t with 0 ≤ index + pad − t < outSize: a contiguous range, no division needed.
            int t0 = Math.Max(0, index + pad - outSize + 1), t1 = Math.Min(k - 1, index + pad);
            for (int t = t0; t <= t1; t++)
            {
                taps[n] = t;
                outs[n++] = index + pad - t;
            }
            return n;
        }
        for (int t = 0; t < k; t++)
        {
            int p = index + pad - t;
            if (p < 0) break;  // larger t only makes p smaller
            if (p % stride != 0) continue;
            int o = p / stride;
            if (o >= outSize) continue;
            taps[n] = t;
            outs[n++] = o;
        }
        return n;
    }

    /// <summary>Throws unless the output has at least one pixel and the parameters are sane.</summary>
    public void Validate(string op)
    {
        if (Kh < 1 || Kw < 1) throw new ArgumentException($"{op}: kernel {Kh}×{Kw} must be at least 1×1.");
        if (Sh < 1 || Sw < 1) throw new ArgumentException($"{op}: stride ({Sh}, {Sw}) must be at least 1.");
        if (Ph < 0 || Pw < 0) throw new ArgumentException($"{op}: padding ({Ph}, {Pw}) must not be negative.");
        if (H + 2 * Ph < Kh || W + 2 * Pw < Kw)
            throw new ArgumentException($"{op}: kernel {Kh}×{Kw} is larger than the padded input {H + 2 * Ph}×{W + 2 * Pw} (input {H}×{W}, padding ({Ph}, {Pw})).");
    }
}
