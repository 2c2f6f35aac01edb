using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FormerSearch.Engine.Kernels.Reductions;

namespace FormerSearch.Engine.Kernels.Norms;

/// <summary>
/// The norms' column-wise sums over a run of rows of dense <c>[rows, C]</c> matrices: BatchNorm's variance and
/// backward statistics, and the affine gradients of LayerNorm and GroupNorm. As in <see cref="ColumnSums"/>, each
/// block of channels stays in a register while the rows are walked in order, so every channel's sum is the plain
/// sequential sum of its rows, for any block size or thread count.
/// </summary>
internal static class NormColumns
{
    /// <summary><c>acc[ch] += Σ (x[r, ch] − mean[ch])²</c> over rows <c>[first, last)</c> (BatchNorm's variance pass).</summary>
    public static void AddSquaredDeviations(FloatSlice x, int c, int first, int last, ReadOnlySpan<float> mean, Span<float> acc)
    {
        ColumnSums.RequireRows(x, c, last, Math.Min(acc.Length, mean.Length));
        ref float xr = ref x.Start;
        ref float mr = ref MemoryMarshal.GetReference(mean);
        ref float ar = ref MemoryMarshal.GetReference(acc);
        int ch = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; ch <= c - 16; ch += 16)
            {
                var a = Vector512.LoadUnsafe(ref ar, (nuint)ch);
                var m = Vector512.LoadUnsafe(ref mr, (nuint)ch);
                for (int r = first, i = first * c + ch; r < last; r++, i += c)
                {
                    var d = Vector512.LoadUnsafe(ref xr, (nuint)i) - m;
                    a = Vector512.FusedMultiplyAdd(d, d, a);
                }
                a.StoreUnsafe(ref ar, (nuint)ch);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; ch <= c - 8; ch += 8)
            {
                var a = Vector256.LoadUnsafe(ref ar, (nuint)ch);
                var m = Vector256.LoadUnsafe(ref mr, (nuint)ch);
                for (int r = first, i = first * c + ch; r < last; r++, i += c)
                {
                    var d = Vector256.LoadUnsafe(ref xr, (nuint)i) - m;
                    a = Vector256.FusedMultiplyAdd(d, d, a);
                }
                a.StoreUnsafe(ref ar, (nuint)ch);
            }
        }
        for (; ch < c; ch++)
        {
            float a = Unsafe.Add(ref ar, ch), m = Unsafe.Add(ref mr, ch);
            for (int r = first, i = first * c + ch; r < last; r++, i += c)
            {
                float d = Unsafe.Add(ref xr, i) - m;
                a = MathF.FusedMultiplyAdd(d, d, a);
            }
            Unsafe.Add(ref ar, ch) = a;
        }
    }

    /// <summary>
    /// <c>sdy[ch] += Σ dy[r, ch]</c> and <c>sprod[ch] += Σ dy[r, ch]·(x[r, ch] − mean[ch])</c> over rows
    /// <c>[first, last)</c> (BatchNorm's backward statistics).
    /// </summary>
    public static void AddGradSums(FloatSlice x, FloatSlice dy, int c, int first, int last,
        ReadOnlySpan<float> mean, Span<float> sdy, Span<float> sprod)
    {
        ColumnSums.RequireRows(x, c, last, Math.Min(mean.Length, Math.Min(sdy.Length, sprod.Length)));
        ColumnSums.RequireRows(dy, c, last, c);
        ref float xr = ref x.Start;
        ref float gr = ref dy.Start;
        ref float mr = ref MemoryMarshal.GetReference(mean);
        ref float sr = ref MemoryMarshal.GetReference(sdy);
        ref float pr = ref MemoryMarshal.GetReference(sprod);
        int ch = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; ch <= c - 16; ch += 16)
            {
                var s = Vector512.LoadUnsafe(ref sr, (nuint)ch);
                var p = Vector512.LoadUnsafe(ref pr, (nuint)ch);
                var m = Vector512.LoadUnsafe(ref mr, (nuint)ch);
                for (int r = first, xi = first * c + ch, gi = first * c + ch; r < last; r++, xi += c, gi += c)
                {
                    var g = Vector512.LoadUnsafe(ref gr, (nuint)gi);
                    s += g;
                    p = Vector512.FusedMultiplyAdd(g, Vector512.LoadUnsafe(ref xr, (nuint)xi) - m, p);
                }
                s.StoreUnsafe(ref sr, (nuint)ch);
                p.StoreUnsafe(ref pr, (nuint)ch);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; ch <= c - 8; ch += 8)
            {
                var s = Vector256.LoadUnsafe(ref sr, (nuint)ch);
                var p = Vector256.LoadUnsafe(ref pr, (nuint)ch);
                var m = Vector256.LoadUnsafe(ref mr, (nuint)ch);
                for (int r = first, xi = first * c + ch, gi = first * c + ch; r < last; r++, xi += c, gi += c)
                {
                    var g = Vector256.LoadUnsafe(ref gr, (nuint)gi);
                    s += g;
                    p = Vector256.FusedMultiplyAdd(g, Vector256.LoadUnsafe(ref xr, (nuint)xi) - m, p);
                }
                s.StoreUnsafe(ref sr, (nuint)ch);
                p.StoreUnsafe(ref pr, (nuint)ch);
            }
        }
        for (; ch < c; ch++)
        {
            float s = Unsafe.Add(ref sr, ch), p = Unsafe.Add(ref pr, ch), m = Unsafe.Add(ref mr, ch);
            for (int r = first, xi = first * c + ch, gi = first * c + ch; r < last; r++, xi += c, gi += c)
            {
                float g = Unsafe.Add(ref gr, gi);
                s += g;
                p = MathF.FusedMultiplyAdd(g, Unsafe.Add(ref xr, xi) - m, p);
            }
            Unsafe.Add(ref sr, ch) = s;
            Unsafe.Add(ref pr, ch) = p;
        }
    }

    /// <summary>
    /// <c>dw[ch] += Σ dy[r, ch]·(x[r, ch] − mean_r)·rstd_r</c> and <c>db[ch] += Σ dy[r, ch]</c> over rows
    /// <c>[first, last)</c>, with row <c>r</c>'s statistics as <paramref name="n"/> says.
    /// </summary>
    public static void AddAffineGrads(in NormBackwardInputs n, int first, int last, Span<float> dw, Span<float> db)
    {
        int c = n.C, rowsPerStat = n.RowsPerStat;
        ColumnSums.RequireRows(n.X, c, last, Math.Min(dw.Length, db.Length));
        ColumnSums.RequireRows(n.Dy, c, last, c);
        FloatSlice mean = n.Mean, rstd = n.Rstd;
        mean.Require(last == 0 ? 0 : (last - 1) / rowsPerStat + 1, nameof(n.Mean));
        rstd.Require(last == 0 ? 0 : (last - 1) / rowsPerStat + 1, nameof(n.Rstd));
        ref float xr = ref n.X.Start;
        ref float gr = ref n.Dy.Start;
        ref float wr = ref MemoryMarshal.GetReference(dw);
        ref float br = ref MemoryMarshal.GetReference(db);
        int ch = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; ch <= c - 16; ch += 16)
            {
                var aw = Vector512.LoadUnsafe(ref wr, (nuint)ch);
                var ab = Vector512.LoadUnsafe(ref br, (nuint)ch);
                for (int r = first, xi = first * c + ch, gi = first * c + ch; r < last; r++, xi += c, gi += c)
                {
                    int s = r / rowsPerStat;
                    var g = Vector512.LoadUnsafe(ref gr, (nuint)gi);
                    var xh = (Vector512.LoadUnsafe(ref xr, (nuint)xi) - Vector512.Create(mean[s])) * Vector512.Create(rstd[s]);
                    aw = Vector512.FusedMultiplyAdd(g, xh, aw);
                    ab += g;
                }
                aw.StoreUnsafe(ref wr, (nuint)ch);
                ab.StoreUnsafe(ref br, (nuint)ch);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; ch <= c - 8; ch += 8)
            {
                var aw = Vector256.LoadUnsafe(ref wr, (nuint)ch);
                var ab = Vector256.LoadUnsafe(ref br, (nuint)ch);
                for (int r = first, xi = first * c + ch, gi = first * c + ch; r < last; r++, xi += c, gi += c)
                {
                    int s = r / rowsPerStat;
                    var g = Vector256.LoadUnsafe(ref gr, (nuint)gi);
                    var xh = (Vector256.LoadUnsafe(ref xr, (nuint)xi) - Vector256.Create(mean[s])) * Vector256.Create(rstd[s]);
                    aw = Vector256.FusedMultiplyAdd(g, xh, aw);
                    ab += g;
                }
                aw.StoreUnsafe(ref wr, (nuint)ch);
                ab.StoreUnsafe(ref br, (nuint)ch);
            }
        }
        for (; ch < c; ch++)
        {
            float aw = Unsafe.Add(ref wr, ch), ab = Unsafe.Add(ref br, ch);
            for (int r = first, xi = first * c + ch, gi = first * c + ch; r < last; r++, xi += c, gi += c)
            {
                int s = r / rowsPerStat;
                float g = Unsafe.Add(ref gr, gi);
                aw = MathF.FusedMultiplyAdd(g, (Unsafe.Add(ref xr, xi) - mean[s]) * rstd[s], aw);
                ab += g;
            }
            Unsafe.Add(ref wr, ch) = aw;
            Unsafe.Add(ref br, ch) = ab;
        }
    }
}
