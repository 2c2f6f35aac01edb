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
        var ga = Tape.GradOf(a);
        var gb = Tape.GradOf(b);
        if (op is BinaryOp.Add or BinaryOp.Mul && (ga is not null || gb is not null) && TryPerChannel(gradOutput, ga, gb)) return;
        switch (op)
        {
            case BinaryOp.Add:
                if (ga is not null) Accumulate(gradOutput, ga);
                if (gb is not null) Accumulate(gradOutput, gb);
                break;
            case BinaryOp.Sub:
                if (ga is not null) Accumulate(gradOutput, ga);
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
    private bool TryPerChannel(Tensor g, Tensor? ga, Tensor? gb)
    {
        var (op, a, b) = Saved;
        Tensor full, vector;
        Tensor? gFull, gVector;
        if (a.Shape.SequenceEqual(g.Shape) && !b.Shape.SequenceEqual(g.Shape)) (full, vector, gFull, gVector) = (a, b, ga, gb);
        else if (b.Shape.SequenceEqual(g.Shape) && !a.Shape.SequenceEqual(g.Shape)) (full, vector, gFull, gVector) = (b, a, gb, ga);
        else return false;
        if (!g.IsContiguous || !ChannelGradients.IsPerChannel(g.Shape, vector.Shape, out int rows, out int c)) return false;
        var grads = new ChannelGradients.Destinations(gFull?.Elements, gVector?.Elements);
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

    /// <summary><c>grad += Σ g</c> over the dimensions <c>grad</c>'s input was broadcast along.</summary>
    internal static void Accumulate(Tensor g, Tensor grad) =>
        BroadcastReduce.SumInto(g.Elements, g.Shape, grad.Elements, grad.Shape);
}
