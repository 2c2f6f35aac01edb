using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Activations;
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

        public void Locate(int item, out int block, out int from, out int length)
        {
            block = item / PerBlock;
            from = (item - block * PerBlock) * Segment;
            length = Math.Min(Segment, Half - from);
        }
    }

    private readonly struct ForwardBody(Split split, FloatSlice x, FloatSlice y, FloatSlice gate) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int half = split.Half;
            ref float xr = ref x.Start;
            ref float sr = ref gate.Start;
            ref float yr = ref y.Start;
            for (int item = start; item < end; item++)
            {
                split.Locate(item, out int o, out int from, out int len);
                ref float a = ref Unsafe.Add(ref xr, 2 * o * half + from);
                ref float b = ref Unsafe.Add(ref xr, (2 * o + 1) * half + from);
                ref float sig = ref Unsafe.Add(ref sr, o * half + from);
                ref float yo = ref Unsafe.Add(ref yr, o * half + from);
                int i = 0;
                for (; i <= len - 16; i += 16)
                {
                    var sv = Vector512<float>.One / (Vector512<float>.One + FastExp.Vector(-Vector512.LoadUnsafe(ref b, (nuint)i)));
                    sv.StoreUnsafe(ref sig, (nuint)i);
                    (Vector512.LoadUnsafe(ref a, (nuint)i) * sv).StoreUnsafe(ref yo, (nuint)i);
                }
                for (; i < len; i++)
                {
                    float sv = 1f / (1f + FastExp.Scalar(-Unsafe.Add(ref b, i)));
                    Unsafe.Add(ref sig, i) = sv;
                    Unsafe.Add(ref yo, i) = Unsafe.Add(ref a, i) * sv;
                }
            }
        }
    }

    /// <summary><c>da += g·σ</c>, <c>db += t − t·σ</c> with <c>t = g·a·σ</c>, in one pass.</summary>
    private readonly struct BackwardBody(Split split, FloatSlice x, FloatSlice gate, FloatSlice g, FloatSlice dx) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int half = split.Half;
            ref float xr = ref x.Start;
            ref float sr = ref gate.Start;
            ref float gr = ref g.Start;
            ref float dr = ref dx.Start;
            for (int item = start; item < end; item++)
            {
                split.Locate(item, out int o, out int from, out int len);
                ref float a = ref Unsafe.Add(ref xr, 2 * o * half + from);
                ref float sig = ref Unsafe.Add(ref sr, o * half + from);
                ref float go = ref Unsafe.Add(ref gr, o * half + from);
                ref float da = ref Unsafe.Add(ref dr, 2 * o * half + from);
                ref float db = ref Unsafe.Add(ref dr, (2 * o + 1) * half + from);
                int i = 0;
                for (; i <= len - 16; i += 16)
                {
                    var gv = Vector512.LoadUnsafe(ref go, (nuint)i);
                    var sv = Vector512.LoadUnsafe(ref sig, (nuint)i);
                    (gv * sv + Vector512.LoadUnsafe(ref da, (nuint)i)).StoreUnsafe(ref da, (nuint)i);
                    var t = gv * Vector512.LoadUnsafe(ref a, (nuint)i) * sv;
                    (Vector512.LoadUnsafe(ref db, (nuint)i) + t - t * sv).StoreUnsafe(ref db, (nuint)i);
                }
                for (; i < len; i++)
                {
                    float gv = Unsafe.Add(ref go, i), sv = Unsafe.Add(ref sig, i);
                    Unsafe.Add(ref da, i) = gv * sv + Unsafe.Add(ref da, i);
                    float t = gv * Unsafe.Add(ref a, i) * sv;
                    Unsafe.Add(ref db, i) = Unsafe.Add(ref db, i) + t - t * sv;
                }
            }
        }
    }
}
