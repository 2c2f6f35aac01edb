using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FormerSearch.Engine.Kernels.Reductions;

/// <summary>
/// Column-wise sums over a run of rows of a dense <c>[rows, C]</c> matrix (channels-last data), the
/// inner loops of the chunked reductions behind norm statistics and bias/affine gradients. Each block
/// of 16 channels (8 with AVX2 only) is kept in a register while the rows are walked in order (one load per row instead
/// of a load and store of the partial), so every channel's sum is the plain sequential sum of its
/// rows: the same bits as adding row by row, for any block size or thread count.
/// </summary>
internal static class ColumnSums
{
    /// <summary><c>acc[ch] += Σ x[r, ch]</c> over rows <c>[first, last)</c>.</summary>
    public static void Add(float[] x, int offset, int c, int first, int last, Span<float> acc)
    {
        ref float xr = ref MemoryMarshal.GetArrayDataReference(x);
        ref float ar = ref MemoryMarshal.GetReference(acc);
        int ch = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; ch <= c - 16; ch += 16)
            {
                var a = Vector512.LoadUnsafe(ref ar, (nuint)ch);
                for (int r = first, i = offset + first * c + ch; r < last; r++, i += c)
                    a += Vector512.LoadUnsafe(ref xr, (nuint)i);
                a.StoreUnsafe(ref ar, (nuint)ch);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; ch <= c - 8; ch += 8)
            {
                var a = Vector256.LoadUnsafe(ref ar, (nuint)ch);
                for (int r = first, i = offset + first * c + ch; r < last; r++, i += c)
                    a += Vector256.LoadUnsafe(ref xr, (nuint)i);
                a.StoreUnsafe(ref ar, (nuint)ch);
            }
        }
        for (; ch < c; ch++)
        {
            float a = Unsafe.Add(ref ar, ch);
            for (int r = first, i = offset + first * c + ch; r < last; r++, i += c) a += Unsafe.Add(ref xr, i);
            Unsafe.Add(ref ar, ch) = a;
        }
    }

    /// <summary><c>acc[ch] += Σ (x[r, ch] − mean[ch])²</c> over rows <c>[first, last)</c> (BatchNorm's variance pass).</summary>
    public static void AddSquaredDeviations(float[] x, int offset, int c, int first, int last, ReadOnlySpan<float> mean, Span<float> acc)
    {
        ref float xr = ref MemoryMarshal.GetArrayDataReference(x);
        ref float mr = ref MemoryMarshal.GetReference(mean);
        ref float ar = ref MemoryMarshal.GetReference(acc);
        int ch = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; ch <= c - 16; ch += 16)
            {
                var a = Vector512.LoadUnsafe(ref ar, (nuint)ch);
                var m = Vector512.LoadUnsafe(ref mr, (nuint)ch);
                for (int r = first, i = offset + first * c + ch; r < last; r++, i += c)
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
                for (int r = first, i = offset + first * c + ch; r < last; r++, i += c)
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
            for (int r = first, i = offset + first * c + ch; r < last; r++, i += c)
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
    public static void AddGradSums(float[] x, int xOffset, float[] dy, int dyOffset, int c, int first, int last,
        ReadOnlySpan<float> mean, Span<float> sdy, Span<float> sprod)
    {
        ref float xr = ref MemoryMarshal.GetArrayDataReference(x);
        ref float gr = ref MemoryMarshal.GetArrayDataReference(dy);
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
                for (int r = first, xi = xOffset + first * c + ch, gi = dyOffset + first * c + ch; r < last; r++, xi += c, gi += c)
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
                for (int r = first, xi = xOffset + first * c + ch, gi = dyOffset + first * c + ch; r < last; r++, xi += c, gi += c)
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
            for (int r = first, xi = xOffset + first * c + ch, gi = dyOffset + first * c + ch; r < last; r++, xi += c, gi += c)
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
    /// <c>[first, last)</c>, where row <c>r</c>'s statistics are entry <c>r / rowsPerStat</c> of
    /// <paramref name="mean"/> and <paramref name="rstd"/> (1 for LayerNorm, the positions of a sample for GroupNorm).
    /// </summary>
    public static void AddAffineGrads(float[] x, int xOffset, float[] dy, int dyOffset, int c, int first, int last,
        float[] mean, int meanOffset, float[] rstd, int rstdOffset, int rowsPerStat, Span<float> dw, Span<float> db)
    {
        ref float xr = ref MemoryMarshal.GetArrayDataReference(x);
        ref float gr = ref MemoryMarshal.GetArrayDataReference(dy);
        ref float wr = ref MemoryMarshal.GetReference(dw);
        ref float br = ref MemoryMarshal.GetReference(db);
        int ch = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; ch <= c - 16; ch += 16)
            {
                var aw = Vector512.LoadUnsafe(ref wr, (nuint)ch);
                var ab = Vector512.LoadUnsafe(ref br, (nuint)ch);
                for (int r = first, xi = xOffset + first * c + ch, gi = dyOffset + first * c + ch; r < last; r++, xi += c, gi += c)
                {
                    int n = r / rowsPerStat;
                    var g = Vector512.LoadUnsafe(ref gr, (nuint)gi);
                    var xh = (Vector512.LoadUnsafe(ref xr, (nuint)xi) - Vector512.Create(mean[meanOffset + n])) * Vector512.Create(rstd[rstdOffset + n]);
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
                for (int r = first, xi = xOffset + first * c + ch, gi = dyOffset + first * c + ch; r < last; r++, xi += c, gi += c)
                {
                    int n = r / rowsPerStat;
                    var g = Vector256.LoadUnsafe(ref gr, (nuint)gi);
                    var xh = (Vector256.LoadUnsafe(ref xr, (nuint)xi) - Vector256.Create(mean[meanOffset + n])) * Vector256.Create(rstd[rstdOffset + n]);
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
            for (int r = first, xi = xOffset + first * c + ch, gi = dyOffset + first * c + ch; r < last; r++, xi += c, gi += c)
            {
                int n = r / rowsPerStat;
                float g = Unsafe.Add(ref gr, gi);
                aw = MathF.FusedMultiplyAdd(g, (Unsafe.Add(ref xr, xi) - mean[meanOffset + n]) * rstd[rstdOffset + n], aw);
                ab += g;
            }
            Unsafe.Add(ref wr, ch) = aw;
            Unsafe.Add(ref br, ch) = ab;
        }
    }
}
