using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FormerSearch.Engine.Kernels.Simd;

namespace FormerSearch.Engine.Kernels.Reductions;

/// <summary>
/// Column-wise sums over a run of rows of a dense <c>[rows, C]</c> matrix (channels-last data), the
/// inner loop of the chunked reductions behind bias gradients and pooling (the norms' statistics have theirs in
/// <see cref="Norms.NormColumns"/>). Each block of channels (16 with AVX-512, 8 with AVX2, 4 with SSE or Neon, then
/// one) is kept in a register while the rows are walked in order (one load per row instead of a load and store of
/// the partial), so every channel's sum is the plain sequential sum of its rows: the same bits as adding row by row,
/// for any block size or thread count.
/// </summary>
internal static class ColumnSums
{
    /// <summary><c>acc[ch] += Σ x[r, ch]</c> over rows <c>[first, last)</c> of <paramref name="x"/>, dense rows of <paramref name="c"/>.</summary>
    /// <exception cref="ArgumentException">The rows are not all inside <paramref name="x"/>, or <paramref name="acc"/> is shorter than a row.</exception>
    public static void Add(FloatSlice x, int c, int first, int last, Span<float> acc)
    {
        RequireRows(x, c, last, acc.Length);
        var sums = new Sums(ref x.Start, ref MemoryMarshal.GetReference(acc), c, first, last);
        Widths.Run(ref sums);
    }

    /// <summary>Throws unless rows <c>[0, last)</c> of width <paramref name="c"/> lie inside <paramref name="x"/> and an accumulator of <paramref name="accLength"/> holds a row.</summary>
    /// <exception cref="ArgumentException">They do not (a bug in the caller).</exception>
    public static void RequireRows(FloatSlice x, int c, int last, int accLength)
    {
        x.Require((long)last * c, nameof(x));
        if (accLength < c) throw new ArgumentException($"A column-sum accumulator of {accLength} is shorter than a row of {c}.");
    }

    private readonly ref struct Sums(ref float x, ref float acc, int c, int first, int last) : IWidthLoop
    {
        private readonly ref float _x = ref x, _acc = ref acc;

        /// <summary>Whole blocks of channels from <paramref name="ch"/> on; returns the first channel left.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int ch) where TVector : struct where TSimd : ISimd<TVector>
        {
            for (; ch <= c - TSimd.Count; ch += TSimd.Count)
            {
                var a = TSimd.Load(ref _acc, (nuint)ch);
                for (int r = first, i = first * c + ch; r < last; r++, i += c) a = TSimd.Add(a, TSimd.Load(ref _x, (nuint)i));
                TSimd.Store(a, ref _acc, (nuint)ch);
            }
            return ch;
        }
    }
}
