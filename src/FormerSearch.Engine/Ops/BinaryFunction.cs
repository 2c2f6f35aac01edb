using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Elementwise;
using FormerSearch.Engine.Kernels.Reductions;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// <c>a + b</c>, <c>a − b</c>, <c>a · b</c>, <c>a / b</c> elementwise with PyTorch broadcasting. The
/// backward sums each operand's gradient over the dimensions it was broadcast along, in a fixed order.
/// </summary>
internal sealed class BinaryFunction : Function<BinaryFunction, BinaryFunction.State>
{
    internal readonly record struct State(BinaryOp Op, Tensor A, Tensor B);

    public static Tensor Apply(BinaryOp op, Tensor a, Tensor b)
    {
        Span<int> shape = stackalloc int[Tensor.MaxRank];
        int rank = BroadcastShapes.Broadcast(a.Shape, b.Shape, shape, Name(op));
        shape = shape[..rank];
        a = a.Contiguous();
        b = b.Contiguous();
        var output = Tensor.Empty(shape);
        Compute(op, a, b, output);
        if (Tape.Needs(a, b)) Record(new(op, a, b), output);
        return output;
    }

    // Literal names: op.ToString() would box the enum on every call.
    private static string Name(BinaryOp op) => op switch
    {
        BinaryOp.Add => "Add",
        BinaryOp.Sub => "Sub",
        BinaryOp.Mul => "Mul",
        _ => "Div",
    };

    /// <summary><c>output = a ∘ b</c> with <c>output</c> dense in the broadcast shape.</summary>
    internal static void Compute(BinaryOp op, Tensor a, Tensor b, Tensor output)
    {
        var layout = BroadcastLayout.Create(output.Shape, a.Shape, a.Strides, b.Shape, b.Strides);
        BroadcastKernels.Binary(op, layout, a.StridedElements, b.StridedElements, output.Elements);
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var (op, a, b) = Saved;
        // A first gradient of the output's shape is written, not added into a zero-filled one. When a and b share a
        // gradient (the same tensor, or one a view of the other), only the first created can be fresh, and it is
        // written before the other is added into.
        bool overwriteA = false, overwriteB = false;
        bool dense = gradOutput.IsContiguous;
        var ga = dense && a.Shape.SequenceEqual(gradOutput.Shape) ? Tape.GradToWrite(a, out overwriteA) : Tape.GradOf(a);
        var gb = dense && b.Shape.SequenceEqual(gradOutput.Shape) ? Tape.GradToWrite(b, out overwriteB) : Tape.GradOf(b);
        if (op is BinaryOp.Add or BinaryOp.Mul && (ga is not null || gb is not null) && TryPerChannel(gradOutput, ga, overwriteA, gb, overwriteB)) return;
        if (op is not BinaryOp.Add) ClearIfFresh(gb, ref overwriteB);
        if (op is not (BinaryOp.Add or BinaryOp.Sub)) ClearIfFresh(ga, ref overwriteA);
        switch (op)
        {
            case BinaryOp.Add:
                if (ga is not null) Deliver(gradOutput, ga, overwriteA);
                if (gb is not null) Deliver(gradOutput, gb, overwriteB);
                break;
            case BinaryOp.Sub:
                if (ga is not null) Deliver(gradOutput, ga, overwriteA);
                if (gb is not null) Accumulate(Product(BinaryOp.Mul, gradOutput, Tensor.Scalar(-1f)), gb);
                break;
            case BinaryOp.Mul:
                // d(a·b)/da = b, d(a·b)/db = a.
                if (ga is not null) AccumulateProduct(gradOutput, b, ga);
                if (gb is not null) AccumulateProduct(gradOutput, a, gb);
                break;
            default:
                // d(a/b)/da = 1/b, d(a/b)/db = −a/b² = −(g/b)·(a/b).
                var gOverB = Product(BinaryOp.Div, gradOutput, b);
                if (ga is not null) Accumulate(gOverB, ga);
                if (gb is not null)
                {
                    var t = Product(BinaryOp.Mul, gOverB, a);
                    Compute(BinaryOp.Div, t, b, t);
                    Compute(BinaryOp.Mul, t, Tensor.Scalar(-1f), t);
                    Accumulate(t, gb);
                }
                break;
        }
    }

    /// <summary>
    /// The backward of <c>x + v</c> or <c>x · v</c> with <c>x</c> full-size and <c>v</c> one vector
    /// repeated over rows (bias, layer scale), in either operand order: both gradients in one pass
    /// over <c>g</c>. False (nothing done) for any other broadcast.
    /// </summary>
    private bool TryPerChannel(Tensor g, Tensor? ga, bool overwriteA, Tensor? gb, bool overwriteB)
    {
        var (op, a, b) = Saved;
        Tensor full, vector;
        Tensor? gFull, gVector;
        bool overwriteFull;
        if (a.Shape.SequenceEqual(g.Shape) && !b.Shape.SequenceEqual(g.Shape)) (full, vector, gFull, gVector, overwriteFull) = (a, b, ga, gb, overwriteA);
        else if (b.Shape.SequenceEqual(g.Shape) && !a.Shape.SequenceEqual(g.Shape)) (full, vector, gFull, gVector, overwriteFull) = (b, a, gb, ga, overwriteB);
        else return false;
        if (!g.IsContiguous || !ChannelGradients.IsPerChannel(g.Shape, vector.Shape, out int rows, out int c)) return false;
        var grads = new ChannelGradients.Destinations(gFull?.Elements, gVector?.Elements, overwriteFull);
        if (op == BinaryOp.Add) ChannelGradients.AddBackward(g.Elements, rows, c, grads);
        else ChannelGradients.MulBackward(g.Elements, full.Elements, vector.Elements, rows, c, grads);
        return true;
    }

    /// <summary>
    /// <c>grad += Σ g ⊙ other</c> reduced to <c>grad</c>'s shape, fused (no <c>g ⊙ other</c> buffer)
    /// when <c>other</c> or <c>grad</c> spans the whole output, as in a per-channel scale.
    /// </summary>
    private static void AccumulateProduct(Tensor g, Tensor other, Tensor grad)
    {
        if (other.Shape.SequenceEqual(g.Shape))
        {
            BroadcastReduce.SumProductInto(g.Elements, other.Elements, g.Shape, grad.Elements, grad.Shape);
        }
        else if (grad.Shape.SequenceEqual(g.Shape))
        {
            var layout = BroadcastLayout.Create(g.Shape, g.Shape, g.Strides, other.Shape, other.Strides);
            BroadcastKernels.MultiplyAccumulate(layout, g.StridedElements, other.StridedElements, grad.Elements);
        }
        else
        {
            Accumulate(Product(BinaryOp.Mul, g, other), grad);
        }
    }

    /// <summary>A new dense tensor <c>g ∘ x</c> in <c>g</c>'s (the output's) shape.</summary>
    private static Tensor Product(BinaryOp op, Tensor g, Tensor x)
    {
        var t = Tensor.Empty(g.Shape);
        Compute(op, g, x, t);
        return t;
    }

    /// <summary>Zero-fills a gradient created unfilled, for a path that adds into it.</summary>
    private static void ClearIfFresh(Tensor? grad, ref bool overwrite)
    {
        if (!overwrite) return;
        grad!.Elements.AsSpan().Clear();
        overwrite = false;
    }

    /// <summary><c>grad = g</c> when <paramref name="overwrite"/> (same shapes, both dense), else <see cref="Accumulate"/>.</summary>
    private static void Deliver(Tensor g, Tensor grad, bool overwrite)
    {
        if (!overwrite) Accumulate(g, grad);
        else if (g.Numel > 0)
        {
            // Rows of the last dimension, so that the copy is split over threads.
            int c = g.Rank == 0 ? 1 : g.Size(-1);
            ChannelGradients.AddBackward(g.Elements, g.Numel / c, c, new ChannelGradients.Destinations(grad.Elements, null, OverwriteGx: true));
        }
    }

    /// <summary><c>grad += Σ g</c> over the dimensions <c>grad</c>'s input was broadcast along.</summary>
    internal static void Accumulate(Tensor g, Tensor grad) =>
        BroadcastReduce.SumInto(g.Elements, g.Shape, grad.Elements, grad.Shape);
}
