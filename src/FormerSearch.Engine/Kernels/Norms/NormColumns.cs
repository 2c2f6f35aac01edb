using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FormerSearch.Engine.Kernels.Reductions;
using FormerSearch.Engine.Kernels.Simd;

namespace FormerSearch.Engine.Kernels.Norms;

/// <summary>
/// The norms' column-wise sums over a run of rows of dense <c>[rows, C]</c> matrices: BatchNorm's variance and
/// backward statistics, and the affine gradients of LayerNorm and GroupNorm. As in <see cref="ColumnSums"/>, each
/// block of channels stays in a register while the rows are walked in order, so every channel's sum is the plain
/// sequential sum of its rows, for any block size or thread count. Each sum is one body written over widths
/// (<see cref="IWidthLoop"/>): the widest accelerated vectors, then single floats for the remaining channels.
/// </summary>
internal static class NormColumns
{
    /// <summary><c>acc[ch] += Σ (x[r, ch] − mean[ch])²</c> over rows <c>[first, last)</c> (BatchNorm's variance pass).</summary>
    /// <exception cref="ArgumentException">The rows are not inside <paramref name="x"/>, or a vector is shorter than a row.</exception>
    public static void AddSquaredDeviations(FloatSlice x, int c, int first, int last, ReadOnlySpan<float> mean, Span<float> acc)
    {
        ColumnSums.RequireRows(x, c, last, Math.Min(acc.Length, mean.Length));
        var sums = new SquaredDeviations(ref x.Start, ref MemoryMarshal.GetReference(mean), ref MemoryMarshal.GetReference(acc), c, first, last);
        Widths.Run(ref sums);
    }

    /// <summary>
    /// <c>sdy[ch] += Σ dy[r, ch]</c> and <c>sprod[ch] += Σ dy[r, ch]·(x[r, ch] − mean[ch])</c> over rows
    /// <c>[first, last)</c> (BatchNorm's backward statistics).
    /// </summary>
    /// <exception cref="ArgumentException">The rows are not inside <paramref name="x"/> and <paramref name="dy"/>, or a vector is shorter than a row.</exception>
    public static void AddGradSums(FloatSlice x, FloatSlice dy, int c, int first, int last,
        ReadOnlySpan<float> mean, Span<float> sdy, Span<float> sprod)
    {
        ColumnSums.RequireRows(x, c, last, Math.Min(mean.Length, Math.Min(sdy.Length, sprod.Length)));
        ColumnSums.RequireRows(dy, c, last, c);
        var sums = new GradSums(ref x.Start, ref dy.Start, ref MemoryMarshal.GetReference(mean),
            ref MemoryMarshal.GetReference(sdy), ref MemoryMarshal.GetReference(sprod), c, first, last);
        Widths.Run(ref sums);
    }

    /// <summary>
    /// <c>dw[ch] += Σ dy[r, ch]·(x[r, ch] − mean_r)·rstd_r</c> and <c>db[ch] += Σ dy[r, ch]</c> over rows
    /// <c>[first, last)</c>, with row <c>r</c>'s statistics as <paramref name="n"/> says.
    /// </summary>
    /// <exception cref="ArgumentException">The rows or their statistics are not inside the slices, or a gradient is shorter than a row.</exception>
    public static void AddAffineGrads(in NormBackwardInputs n, int first, int last, Span<float> dw, Span<float> db)
    {
        int c = n.C;
        ColumnSums.RequireRows(n.X, c, last, Math.Min(dw.Length, db.Length));
        ColumnSums.RequireRows(n.Dy, c, last, c);
        long stats = last == 0 ? 0 : (last - 1) / n.RowsPerStat + 1;
        n.Mean.Require(stats, nameof(n.Mean));
        n.Rstd.Require(stats, nameof(n.Rstd));
        var sums = new AffineGrads(n, ref MemoryMarshal.GetReference(dw), ref MemoryMarshal.GetReference(db), first, last);
        Widths.Run(ref sums);
    }

    private readonly ref struct SquaredDeviations(ref float x, ref float mean, ref float acc, int c, int first, int last) : IWidthLoop
    {
        private readonly ref float _x = ref x, _mean = ref mean, _acc = ref acc;

        /// <summary>Whole blocks of channels from <paramref name="ch"/> on; returns the first channel left.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int ch) where TVector : struct where TSimd : ISimd<TVector>
        {
            for (; ch <= c - TSimd.Count; ch += TSimd.Count)
            {
                var a = TSimd.Load(ref _acc, (nuint)ch);
                var m = TSimd.Load(ref _mean, (nuint)ch);
                for (int r = first, i = first * c + ch; r < last; r++, i += c)
                {
                    var d = TSimd.Subtract(TSimd.Load(ref _x, (nuint)i), m);
                    a = TSimd.FusedMultiplyAdd(d, d, a);
                }
                TSimd.Store(a, ref _acc, (nuint)ch);
            }
            return ch;
        }
    }

    private readonly ref struct GradSums(ref float x, ref float dy, ref float mean, ref float sdy, ref float sprod, int c, int first, int last) : IWidthLoop
    {
        private readonly ref float _x = ref x, _dy = ref dy, _mean = ref mean, _sdy = ref sdy, _sprod = ref sprod;

        /// <summary>Whole blocks of channels from <paramref name="ch"/> on; returns the first channel left.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int ch) where TVector : struct where TSimd : ISimd<TVector>
        {
            for (; ch <= c - TSimd.Count; ch += TSimd.Count)
            {
                var s = TSimd.Load(ref _sdy, (nuint)ch);
                var p = TSimd.Load(ref _sprod, (nuint)ch);
                var m = TSimd.Load(ref _mean, (nuint)ch);
                for (int r = first, i = first * c + ch; r < last; r++, i += c)
                {
                    var g = TSimd.Load(ref _dy, (nuint)i);
                    s = TSimd.Add(s, g);
                    p = TSimd.FusedMultiplyAdd(g, TSimd.Subtract(TSimd.Load(ref _x, (nuint)i), m), p);
                }
                TSimd.Store(s, ref _sdy, (nuint)ch);
                TSimd.Store(p, ref _sprod, (nuint)ch);
            }
            return ch;
        }
    }

    private readonly ref struct AffineGrads(in NormBackwardInputs n, ref float dw, ref float db, int first, int last) : IWidthLoop
    {
        private readonly NormBackwardInputs _n = n;
        private readonly ref float _dw = ref dw, _db = ref db;

        /// <summary>Whole blocks of channels from <paramref name="ch"/> on; returns the first channel left.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int ch) where TVector : struct where TSimd : ISimd<TVector>
        {
            int c = _n.C, rowsPerStat = _n.RowsPerStat;
            ref float x = ref _n.X.Start;
            ref float dy = ref _n.Dy.Start;
            FloatSlice mean = _n.Mean, rstd = _n.Rstd;
            for (; ch <= c - TSimd.Count; ch += TSimd.Count)
            {
                var aw = TSimd.Load(ref _dw, (nuint)ch);
                var ab = TSimd.Load(ref _db, (nuint)ch);
                for (int r = first, i = first * c + ch; r < last; r++, i += c)
                {
                    int s = r / rowsPerStat;
                    var g = TSimd.Load(ref dy, (nuint)i);
                    var xh = TSimd.Multiply(TSimd.Subtract(TSimd.Load(ref x, (nuint)i), TSimd.Create(mean[s])), TSimd.Create(rstd[s]));
                    aw = TSimd.FusedMultiplyAdd(g, xh, aw);
                    ab = TSimd.Add(ab, g);
                }
                TSimd.Store(aw, ref _dw, (nuint)ch);
                TSimd.Store(ab, ref _db, (nuint)ch);
            }
            return ch;
        }
    }
}
