using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FormerSearch.Engine.Kernels.Reductions;

/// <summary>
/// Column-wise sums over a run of rows of a dense <c>[rows, C]</c> matrix (channels-last data), the
/// inner loop of the chunked reductions behind bias gradients and pooling (the norms' statistics have theirs in
/// <see cref="Norms.NormColumns"/>). Each block
/// of 16 channels (8 with AVX2 only) is kept in a register while the rows are walked in order (one load per row instead
/// of a load and store of the partial), so every channel's sum is the plain sequential sum of its
/// rows: the same bits as adding row by row, for any block size or thread count.
/// </summary>
internal static class ColumnSums
{
    /// <summary><c>acc[ch] += Σ x[r, ch]</c> over rows <c>[first, last)</c> of <paramref name="x"/>, dense rows of <paramref name="c"/>.</summary>
    /// <exception cref="ArgumentException">The rows are not all inside <paramref name="x"/>, or <paramref name="acc"/> is shorter than a row.</exception>
    public static void Add(FloatSlice x, int c, int first, int last, Span<float> acc)
    {
        RequireRows(x, c, last, acc.Length);
        ref float xr = ref x.Start;
        ref float ar = ref MemoryMarshal.GetReference(acc);
        int ch = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; ch <= c - 16; ch += 16)
            {
                var a = Vector512.LoadUnsafe(ref ar, (nuint)ch);
                for (int r = first, i = first * c + ch; r < last; r++, i += c)
                    a += Vector512.LoadUnsafe(ref xr, (nuint)i);
                a.StoreUnsafe(ref ar, (nuint)ch);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; ch <= c - 8; ch += 8)
            {
                var a = Vector256.LoadUnsafe(ref ar, (nuint)ch);
                for (int r = first, i = first * c + ch; r < last; r++, i += c)
                    a += Vector256.LoadUnsafe(ref xr, (nuint)i);
                a.StoreUnsafe(ref ar, (nuint)ch);
            }
        }
        for (; ch < c; ch++)
        {
            float a = Unsafe.Add(ref ar, ch);
            for (int r = first, i = first * c + ch; r < last; r++, i += c) a += Unsafe.Add(ref xr, i);
            Unsafe.Add(ref ar, ch) = a;
        }
    }

    /// <summary>Throws unless rows <c>[0, last)</c> of width <paramref name="c"/> lie inside <paramref name="x"/> and an accumulator of <paramref name="accLength"/> holds a row.</summary>
    /// <exception cref="ArgumentException">They do not (a bug in the caller).</exception>
    public static void RequireRows(FloatSlice x, int c, int last, int accLength)
    {
        x.Require((long)last * c, nameof(x));
        if (accLength < c) throw new ArgumentException($"A column-sum accumulator of {accLength} is shorter than a row of {c}.");
    }
}
