using System.Runtime.CompilerServices;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Activations;
using FormerSearch.Engine.Kernels.Simd;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// Gated linear unit, as <c>torch.nn.functional.glu</c>: the input is halved along <c>dim</c> into
/// <c>a</c> (first half) and <c>b</c> (second half), and <c>y = a · σ(b)</c>. Backward:
/// <c>da = g·σ(b)</c>, <c>db = g·a·σ(b)·(1 − σ(b))</c>; σ(b) = 1/(1 + e^−b) (float32
/// <see cref="FastExp"/>) is saved from the forward. Both passes run over threads in fixed segments
/// (elementwise, so any split gives the same bits).
/// </summary>
internal sealed class GluFunction : Function<GluFunction, GluFunction.State>
{
    /// <summary>The input, σ(b) and the <c>[outer, 2, half]</c> layout.</summary>
    internal readonly record struct State(Tensor X, Tensor Gate, int Outer, int Half);

    public static Tensor Apply(Tensor x, int dim)
    {
        if (x.Rank == 0) throw new ArgumentException("Glu needs a tensor with at least one dimension; got a scalar.");
        int d = x.NormalizeDim(dim);
        if (x.Size(d) % 2 != 0)
            throw new ArgumentException($"Glu halves dimension {d} of {Tensor.FormatShape(x.Shape)}, but its size {x.Size(d)} is odd.");
        x = x.Contiguous();
        Span<int> shape = stackalloc int[x.Rank];
        x.Shape.CopyTo(shape);
        shape[d] /= 2;
        var y = Tensor.Empty(shape);
        var gate = Tensor.Empty(shape);

        // As [outer, 2, half]: each outer block holds the a-run then the b-run.
        int outer = 1;
        for (int i = 0; i < d; i++) outer *= x.Size(i);
        int half = outer == 0 ? 0 : y.Numel / outer;
        var split = new Split(outer, half);
        if (split.Items > 0)
            ParallelRunner.For(split.Items, split.Grain, new ForwardBody(split, x.Elements, y.Elements, gate.Elements));

        if (Tape.Needs(x)) Record(new(x, gate, outer, half), y);
        return y;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var (x, gate, outer, half) = Saved;
        if (Tape.GradOf(x) is not { } gx) return;
        var g = Dense(gradOutput);
        var split = new Split(outer, half);
        if (split.Items > 0)
            ParallelRunner.For(split.Items, split.Grain, new BackwardBody(split, x.Elements, gate.Elements, g.Elements, gx.Elements));
    }

    /// <summary>
    /// The work items: each outer block's half-run cut into segments of <see cref="Segment"/> elements,
    /// so that one long run (dim = last axis of a single row) or many short ones both spread over threads.
    /// </summary>
    private readonly struct Split(int outer, int half)
    {
        public const int Segment = 1 << 13;
        public readonly int Outer = outer, Half = half, PerBlock = half == 0 ? 0 : (half + Segment - 1) / Segment;
        public int Items => Outer * PerBlock;

        /// <summary>Items per range: at least ~16K elements, below which a hand-off costs more than it saves.</summary>
        public int Grain => Math.Max(1, (1 << 14) / Math.Max(1, Math.Min(Half, Segment)));

        /// <summary>
        /// Work item <paramref name="item"/>: its <paramref name="length"/> elements start at <paramref name="inputAt"/> in the
        /// input's a-run (the b-run is <see cref="Half"/> further on) and at <paramref name="outputAt"/> in the output and σ(b).
        /// </summary>
        public void Locate(int item, out int inputAt, out int outputAt, out int length)
        {
            int block = item / PerBlock, from = (item - block * PerBlock) * Segment;
            inputAt = 2 * block * Half + from;
            outputAt = block * Half + from;
            length = Math.Min(Segment, Half - from);
        }
    }

    private readonly struct ForwardBody(Split split, FloatSlice x, FloatSlice y, FloatSlice gate) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            for (int item = start; item < end; item++)
            {
                split.Locate(item, out int inputAt, out int outputAt, out int length);
                var run = new ForwardRun(ref x[inputAt], ref x[inputAt + split.Half], ref gate[outputAt], ref y[outputAt], length);
                Widths.Run(ref run);
            }
        }
    }

    /// <summary><c>σ = 1/(1 + e^−b)</c>, <c>y = a·σ</c> over one run.</summary>
    private readonly ref struct ForwardRun(ref float a, ref float b, ref float sigma, ref float y, int n) : IWidthLoop
    {
        private readonly ref float _a = ref a, _b = ref b, _sigma = ref sigma, _y = ref y;

        /// <summary>Whole vectors from element <paramref name="i"/> on; returns where the first incomplete one starts.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int i) where TVector : struct where TSimd : ISimd<TVector>
        {
            for (; i <= n - TSimd.Count; i += TSimd.Count)
            {
                var sv = TSimd.Divide(TSimd.One, TSimd.Add(TSimd.One, FastExp.Vector<TVector, TSimd>(TSimd.Negate(TSimd.Load(ref _b, (nuint)i)))));
                TSimd.Store(sv, ref _sigma, (nuint)i);
                TSimd.Store(TSimd.Multiply(TSimd.Load(ref _a, (nuint)i), sv), ref _y, (nuint)i);
            }
            return i;
        }
    }

    /// <summary><c>da += g·σ</c>, <c>db += t − t·σ</c> with <c>t = g·a·σ</c>, in one pass.</summary>
    private readonly struct BackwardBody(Split split, FloatSlice x, FloatSlice gate, FloatSlice g, FloatSlice dx) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            for (int item = start; item < end; item++)
            {
                split.Locate(item, out int inputAt, out int outputAt, out int length);
                var run = new BackwardRun(ref x[inputAt], ref gate[outputAt], ref g[outputAt], ref dx[inputAt], ref dx[inputAt + split.Half], length);
                Widths.Run(ref run);
            }
        }
    }

    private readonly ref struct BackwardRun(ref float a, ref float sigma, ref float g, ref float da, ref float db, int n) : IWidthLoop
    {
        private readonly ref float _a = ref a, _sigma = ref sigma, _g = ref g, _da = ref da, _db = ref db;

        /// <summary>Whole vectors from element <paramref name="i"/> on; returns where the first incomplete one starts.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int i) where TVector : struct where TSimd : ISimd<TVector>
        {
            for (; i <= n - TSimd.Count; i += TSimd.Count)
            {
                var gv = TSimd.Load(ref _g, (nuint)i);
                var sv = TSimd.Load(ref _sigma, (nuint)i);
                TSimd.Store(TSimd.Add(TSimd.Multiply(gv, sv), TSimd.Load(ref _da, (nuint)i)), ref _da, (nuint)i);
                var t = TSimd.Multiply(TSimd.Multiply(gv, TSimd.Load(ref _a, (nuint)i)), sv);
                TSimd.Store(TSimd.Subtract(TSimd.Add(TSimd.Load(ref _db, (nuint)i), t), TSimd.Multiply(t, sv)), ref _db, (nuint)i);
            }
            return i;
        }
    }
}
