using System.Numerics.Tensors;
using FormerSearch.Engine.Kernels.Elementwise;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Activations;

/// <summary>
/// Activation forward (<c>y = f(x)</c>) and backward (<c>dx += g · f'(x)</c>) over dense spans, split
/// into chunks over threads. Chunks are whole blocks of <see cref="BlockSize"/> elements (the last block
/// takes the remainder), so an element goes through the vector or the scalar-tail path whatever the
/// split — the two paths may round differently — and any thread count gives the same bits.
/// Sigmoid and tanh differentiate from the saved output, the others from the input.
/// </summary>
internal static class ActivationKernels
{
    /// <summary>The unit of work split across threads; a multiple of every vector width.</summary>
    public const int BlockSize = 64;
    private const int GrainBlocks = (1 << 14) / BlockSize;

    /// <summary>True when the backward of <paramref name="kind"/> reads the output rather than the input.</summary>
    public static bool BackwardUsesOutput(ActivationKind kind) => kind is ActivationKind.Sigmoid or ActivationKind.Tanh;

    /// <summary><c>y = f(x)</c> over the whole of <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void Forward(ActivationKind kind, FloatSlice x, FloatSlice y)
    {
        y.Require(x.Length, nameof(y));
        ParallelRunner.For(Blocks(x.Length), GrainBlocks, new ForwardBody(kind, x, y));
    }

    /// <summary>
    /// <c>dx += g · f'(·)</c> over the whole of <paramref name="dx"/>, where <paramref name="saved"/> is x, or y for
    /// sigmoid/tanh; <c>dx = g · f'(·)</c> when not <paramref name="accumulate"/> (dx's contents are then not read).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="saved"/> or <paramref name="g"/> is shorter than <paramref name="dx"/>.</exception>
    public static void Backward(ActivationKind kind, FloatSlice saved, FloatSlice g, FloatSlice dx, bool accumulate = true)
    {
        saved.Require(dx.Length, nameof(saved));
        g.Require(dx.Length, nameof(g));
        ParallelRunner.For(Blocks(dx.Length), GrainBlocks, new BackwardBody(kind, saved, g, dx, accumulate));
    }

    /// <summary>Whole blocks, the remainder joining the last one (so no chunk is shorter than a block).</summary>
    private static int Blocks(int count) => count == 0 ? 0 : Math.Max(1, count / BlockSize);

    /// <summary>The elements <c>[from, to)</c> covered by blocks <c>[start, end)</c>.</summary>
    private static (int From, int Length) Elements(int start, int end, int blocks, int count)
    {
        int from = start * BlockSize;
        int to = end == blocks ? count : end * BlockSize;
        return (from, to - from);
    }

    /// <summary>The forward on one chunk.</summary>
    public static void ForwardSpan(ActivationKind kind, ReadOnlySpan<float> x, Span<float> y)
    {
        if (x.IsEmpty) return;
        switch (kind)
        {
            case ActivationKind.Relu: TensorPrimitives.Max(x, 0f, y); break;
            case ActivationKind.Relu6:
                TensorPrimitives.Max(x, 0f, y);
                TensorPrimitives.Min(y, 6f, y);
                break;
            case ActivationKind.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
            case ActivationKind.Tanh: TensorPrimitives.Tanh(x, y); break;
            case ActivationKind.Silu: Pointwise.Run<ActivationOperators.SiluForward>(x, x, y, accumulate: false); break;
            case ActivationKind.Gelu: Pointwise.Run<ActivationOperators.GeluForward>(x, x, y, accumulate: false); break;
            default: throw NotPointwise(kind);
        }
    }

    /// <summary>The backward on one chunk.</summary>
    public static void BackwardSpan(ActivationKind kind, ReadOnlySpan<float> saved, ReadOnlySpan<float> g, Span<float> dx, bool accumulate = true)
    {
        switch (kind)
        {
            case ActivationKind.Relu: Pointwise.Run<ActivationOperators.ReluBackward>(saved, g, dx, accumulate); break;
            case ActivationKind.Relu6: Pointwise.Run<ActivationOperators.Relu6Backward>(saved, g, dx, accumulate); break;
            case ActivationKind.Sigmoid: Pointwise.Run<ActivationOperators.SigmoidBackward>(saved, g, dx, accumulate); break;
            case ActivationKind.Tanh: Pointwise.Run<ActivationOperators.TanhBackward>(saved, g, dx, accumulate); break;
            case ActivationKind.Silu: Pointwise.Run<ActivationOperators.SiluBackward>(saved, g, dx, accumulate); break;
            case ActivationKind.Gelu: Pointwise.Run<ActivationOperators.GeluBackward>(saved, g, dx, accumulate); break;
            default: throw NotPointwise(kind);
        }
    }

    /// <summary>The kinds these kernels compute (StarReLU has learned scalars and its own op; None is no op).</summary>
    public static bool IsPointwise(ActivationKind kind) => kind is not (ActivationKind.StarRelu or ActivationKind.None);

    private static ArgumentOutOfRangeException NotPointwise(ActivationKind kind) =>
        new(nameof(kind), kind, "The pointwise activation kernels compute ReLU, ReLU6, GELU, SiLU, sigmoid and tanh.");

    private readonly struct ForwardBody(ActivationKind kind, FloatSlice x, FloatSlice y) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int count = x.Length;
            var (from, length) = Elements(start, end, Blocks(count), count);
            ForwardSpan(kind, x.AsSpan(from, length), y.AsSpan(from, length));
        }
    }

    private readonly struct BackwardBody(ActivationKind kind, FloatSlice saved, FloatSlice g, FloatSlice dx, bool accumulate) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int count = dx.Length;
            var (from, length) = Elements(start, end, Blocks(count), count);
            BackwardSpan(kind, saved.AsSpan(from, length), g.AsSpan(from, length), dx.AsSpan(from, length), accumulate);
        }
    }
}
