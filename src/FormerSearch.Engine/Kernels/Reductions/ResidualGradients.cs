using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FormerSearch.Engine.Kernels.Simd;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Reductions;

/// <summary>
/// The backward of the residual update <c>y = x + s ⊙ (a − b)</c> over rows of C channels (<c>s</c> a per-channel layer
/// scale, <c>b</c> optional) in one pass over the output gradient <c>g</c>: <c>dx += g</c>, <c>da += g·s</c>,
/// <c>db −= g·s</c> and <c>ds += Σ_rows g·(a − b)</c>. Unfused, the addition, the scaling and the subtraction each read
/// and write the gradient (and the scaling's input, <c>a − b</c>, had to be kept). The scale's column sums go through
/// <see cref="ChunkedReduction"/> (fixed chunks of rows, added in chunk order) and every other element is one row's own,
/// so the results are bit-identical for any thread count.
/// </summary>
internal static class ResidualGradients
{
    private const int ParallelGrainElements = 1 << 15;

    /// <summary>What the backward reads: the output gradient <c>g</c>, <c>a</c>, <c>b</c> (empty: none) and <c>s</c> (empty: ones), all dense.</summary>
    public readonly record struct Inputs(FloatSlice G, FloatSlice A, FloatSlice B, FloatSlice Scale);

    /// <summary>
    /// The gradients to write; each may be absent. <c>Overwrite*</c>: the gradient was created unfilled for this write
    /// (<c>=</c> instead of accumulating). Each element's are written in the order x, a, b, so two may be one buffer when
    /// only the first of them is fresh.
    /// </summary>
    public readonly record struct Outputs(FloatSlice? Gx, FloatSlice? Ga, FloatSlice? Gb, FloatSlice? Gs,
        bool OverwriteGx, bool OverwriteGa, bool OverwriteGb);

    /// <summary>Writes the gradients of <see cref="Outputs"/> for <paramref name="rows"/> rows of <paramref name="c"/> channels.</summary>
    /// <exception cref="ArgumentException">A slice is shorter than its shape needs.</exception>
    public static void Backward(in Inputs inputs, in Outputs outputs, int rows, int c)
    {
        if (rows == 0 || c == 0) return;
        long n = (long)rows * c;
        inputs.G.Require(n, "g");
        inputs.A.Require(n, "a");
        if (inputs.B.Length != 0) inputs.B.Require(n, "b");
        if (inputs.Scale.Length != 0) inputs.Scale.Require(c, "scale");
        outputs.Gx?.Require(n, "gx");
        outputs.Ga?.Require(n, "ga");
        outputs.Gb?.Require(n, "gb");
        if (outputs.Gs is not { } gs)
        {
            ParallelRunner.For(rows, Math.Max(1, ParallelGrainElements / c), new RowsBody(inputs, outputs, c));
            return;
        }
        gs.Require(c, "gs");
        ChunkedReduction.AddInto(rows, new Chunk(inputs, outputs, c), gs.AsSpan(0, c));
    }

    /// <summary>Rows <c>[start, end)</c> when the scale needs no gradient: no sums, each row on its own.</summary>
    private readonly struct RowsBody(Inputs inputs, Outputs outputs, int c) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            // Blocks of rows as the reduction's chunks, so each block's rows are walked column block by column block in L1.
            for (int first = start; first < end; first += ChunkedReduction.ChunkRows)
            {
                var columns = new Columns(inputs, outputs, c, first, Math.Min(end, first + ChunkedReduction.ChunkRows), default);
                Widths.Run(ref columns);
            }
        }
    }

    /// <summary>A chunk of rows of <see cref="ChunkedReduction"/>: the scale's column sums into the partial, and the rows' own gradients.</summary>
    private readonly struct Chunk(Inputs inputs, Outputs outputs, int c) : IRowReducer
    {
        public void AddRows(int first, int last, Span<float> partial)
        {
            var columns = new Columns(inputs, outputs, c, first, last, partial);
            Widths.Run(ref columns);
        }
    }

    /// <summary>
    /// Rows <c>[first, last)</c> a block of channels at a time (<see cref="ColumnSweep"/>; the widest vectors, then single
    /// floats), the block's scale sums held in a register while the rows are walked in order.
    /// </summary>
    private readonly ref struct Columns : IWidthLoop, IColumnStep
    {
        private readonly ref float _g, _a, _b, _s, _gx, _ga, _gb, _partial;
        private readonly int _c, _first, _last;
        private readonly bool _subtract, _scaled, _writeGx, _writeGa, _writeGb, _sum, _overwriteGx, _overwriteGa, _overwriteGb;

        public Columns(in Inputs inputs, in Outputs outputs, int c, int first, int last, Span<float> partial)
        {
            ref float g = ref inputs.G.Start;
            _g = ref g;
            _a = ref inputs.A.Start;
            _b = ref inputs.B.Length != 0 ? ref inputs.B.Start : ref g;
            _s = ref inputs.Scale.Length != 0 ? ref inputs.Scale.Start : ref g;
            _gx = ref outputs.Gx.HasValue ? ref outputs.Gx.Value.Start : ref g;
            _ga = ref outputs.Ga.HasValue ? ref outputs.Ga.Value.Start : ref g;
            _gb = ref outputs.Gb.HasValue ? ref outputs.Gb.Value.Start : ref g;
            _partial = ref partial.IsEmpty ? ref g : ref MemoryMarshal.GetReference(partial);
            (_c, _first, _last) = (c, first, last);
            (_subtract, _scaled, _sum) = (inputs.B.Length != 0, inputs.Scale.Length != 0, !partial.IsEmpty);
            (_writeGx, _writeGa, _writeGb) = (outputs.Gx.HasValue, outputs.Ga.HasValue, outputs.Gb.HasValue);
            (_overwriteGx, _overwriteGa, _overwriteGb) = (outputs.OverwriteGx, outputs.OverwriteGa, outputs.OverwriteGb);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int ch) where TVector : struct where TSimd : ISimd<TVector> =>
            ColumnSweep.Run<Columns, TVector, TSimd>(in this, ref _partial, _sum, _c, _first, _last, ch);

        /// <summary>One row of one block of channels: its gradients, and the scale's sum step.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Step<TVector, TSimd>(int at, int ch, TVector acc) where TVector : struct where TSimd : ISimd<TVector>
        {
            nuint i = (nuint)at;
            var g = TSimd.Load(ref _g, i);
            if (_writeGx) TSimd.Store(_overwriteGx ? g : TSimd.Add(TSimd.Load(ref _gx, i), g), ref _gx, i);
            // The branch's gradient g·s, rounded once, as the unfused product's backward wrote it.
            var branch = _scaled ? TSimd.Multiply(g, TSimd.Load(ref _s, (nuint)ch)) : g;
            if (_writeGa) TSimd.Store(_overwriteGa ? branch : TSimd.Add(TSimd.Load(ref _ga, i), branch), ref _ga, i);
            if (_writeGb) TSimd.Store(TSimd.Subtract(_overwriteGb ? TSimd.Zero : TSimd.Load(ref _gb, i), branch), ref _gb, i);
            if (!_sum) return acc;
            var d = TSimd.Load(ref _a, i);
            if (_subtract) d = TSimd.Subtract(d, TSimd.Load(ref _b, i));
            return TSimd.FusedMultiplyAdd(g, d, acc);
        }
    }
}
