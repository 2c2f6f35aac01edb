using System.Runtime.CompilerServices;
using FormerSearch.Engine.Kernels.Simd;

namespace FormerSearch.Engine.Kernels.Reductions;

/// <summary>One row of one block of channels of a <see cref="ColumnSweep"/>: its own work, and the column sum's step.</summary>
internal interface IColumnStep
{
    /// <summary>Element <paramref name="at"/> (channel <paramref name="ch"/>) of a row: returns <paramref name="acc"/> with this row added.</summary>
    TVector Step<TVector, TSimd>(int at, int ch, TVector acc) where TVector : struct where TSimd : ISimd<TVector>;
}

/// <summary>
/// The walk of a chunk of rows of a per-channel reduction (a bias's or a layer scale's gradient): blocks of channels held
/// in registers while the rows are walked in order, four blocks at a time (so that for C = 64 at 16 lanes the chunk is
/// read in one sequential sweep), then single blocks. Rows are added in order whatever the block, so the sums are the
/// same for any split of the chunks.
/// </summary>
internal static class ColumnSweep
{
    /// <summary>
    /// Whole blocks of <c>TSimd</c> channels from <paramref name="ch"/> on, rows <c>[first, last)</c> of
    /// <paramref name="c"/> channels, the sums added into <paramref name="partial"/> when <paramref name="sum"/>;
    /// returns the first channel left.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Run<TStep, TVector, TSimd>(scoped in TStep step, ref float partial, bool sum, int c, int first, int last, int ch)
        where TStep : IColumnStep, allows ref struct where TVector : struct where TSimd : ISimd<TVector>
    {
        int w = TSimd.Count;
        for (; ch <= c - 4 * w; ch += 4 * w)
        {
            var acc0 = Load<TVector, TSimd>(ref partial, sum, ch);
            var acc1 = Load<TVector, TSimd>(ref partial, sum, ch + w);
            var acc2 = Load<TVector, TSimd>(ref partial, sum, ch + 2 * w);
            var acc3 = Load<TVector, TSimd>(ref partial, sum, ch + 3 * w);
            for (int r = first; r < last; r++)
            {
                int at = r * c + ch;
                acc0 = step.Step<TVector, TSimd>(at, ch, acc0);
                acc1 = step.Step<TVector, TSimd>(at + w, ch + w, acc1);
                acc2 = step.Step<TVector, TSimd>(at + 2 * w, ch + 2 * w, acc2);
                acc3 = step.Step<TVector, TSimd>(at + 3 * w, ch + 3 * w, acc3);
            }
            Store<TVector, TSimd>(acc0, ref partial, sum, ch);
            Store<TVector, TSimd>(acc1, ref partial, sum, ch + w);
            Store<TVector, TSimd>(acc2, ref partial, sum, ch + 2 * w);
            Store<TVector, TSimd>(acc3, ref partial, sum, ch + 3 * w);
        }
        for (; ch <= c - w; ch += w)
        {
            var acc = Load<TVector, TSimd>(ref partial, sum, ch);
            for (int r = first; r < last; r++) acc = step.Step<TVector, TSimd>(r * c + ch, ch, acc);
            Store<TVector, TSimd>(acc, ref partial, sum, ch);
        }
        return ch;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Load<TVector, TSimd>(ref float partial, bool sum, int ch) where TVector : struct where TSimd : ISimd<TVector> =>
        sum ? TSimd.Load(ref partial, (nuint)ch) : TSimd.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TVector, TSimd>(TVector acc, ref float partial, bool sum, int ch) where TVector : struct where TSimd : ISimd<TVector>
    {
        if (sum) TSimd.Store(acc, ref partial, (nuint)ch);
    }
}
