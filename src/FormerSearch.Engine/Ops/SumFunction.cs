using System.Numerics.Tensors;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Elementwise;
using FormerSearch.Engine.Kernels.Reductions;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// <c>Σ x</c> or its mean over a set of axes (<c>torch.sum</c>/<c>torch.mean</c> with <c>dim</c> and
/// <c>keepdim</c>); no axes given means all of them, giving a rank-0 tensor. The backward spreads the
/// output gradient (scaled by <c>1/count</c> for the mean) back over the reduced axes.
/// </summary>
internal sealed class SumFunction : Function<SumFunction, SumFunction.State>
{
    /// <summary>The input, the factor on the gradient (<c>1/count</c> for the mean) and the input's shape with size 1 on reduced axes.</summary>
    internal readonly record struct State(Tensor X, float Scale, Dims KeptShape);

    public static Tensor Apply(Tensor x, ReadOnlySpan<int> dims, bool keepDim, bool mean)
    {
        int rank = x.Rank;
        int reducedMask = 0;
        if (dims.IsEmpty) reducedMask = (1 << rank) - 1;
        foreach (int dim in dims)
        {
            int d = dim < 0 ? dim + rank : dim;
            if ((uint)d >= (uint)rank)
                throw new ArgumentException($"{(mean ? "Mean" : "Sum")} over dimension {dim} is out of range for shape {Tensor.FormatShape(x.Shape)}.");
            if ((reducedMask & (1 << d)) != 0)
                throw new ArgumentException($"{(mean ? "Mean" : "Sum")} lists dimension {dim} twice for shape {Tensor.FormatShape(x.Shape)}.");
            reducedMask |= 1 << d;
        }
        x = x.Contiguous();

        // The kept shape has size 1 on reduced axes; the output drops them unless keepDim.
        Dims kept = default;
        Span<int> outShape = stackalloc int[rank];
        int outRank = 0;
        long count = 1;
        for (int d = 0; d < rank; d++)
        {
            bool reduced = (reducedMask & (1 << d)) != 0;
            kept[d] = reduced ? 1 : x.Size(d);
            if (reduced) count *= x.Size(d);
            if (!reduced || keepDim) outShape[outRank++] = kept[d];
        }
        var output = Tensor.Zeros(outShape[..outRank]);
        ReadOnlySpan<int> keptShape = ((ReadOnlySpan<int>)kept)[..rank];
        BroadcastReduce.SumInto(x.Elements, x.Shape, output.Elements, keptShape);
        // torch.mean divides the sum by the count (an empty reduction gives NaN, as there).
        if (mean) TensorPrimitives.Divide(output.AsSpan(), (float)count, output.AsSpan());

        if (Tape.Needs(x)) Record(new(x, mean ? 1f / count : 1f, kept), output);
        return output;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var (x, scale, kept) = Saved;
        if (Tape.GradOf(x) is not { } gx) return;
        int rank = x.Rank;
        ReadOnlySpan<int> keptShape = ((ReadOnlySpan<int>)kept)[..rank];
        Span<int> keptStrides = stackalloc int[rank];
        BroadcastShapes.DenseStrides(keptShape, keptStrides);
        var g = gradOutput;
        if (scale != 1f)
        {
            g = Tensor.Empty(gradOutput.Shape);
            TensorPrimitives.Multiply(gradOutput.AsSpan(), scale, g.AsSpan());
        }
        // gx += g broadcast from the kept shape (gx is dense over the layout, so it is operand A and the output).
        var layout = BroadcastLayout.Create(gx.Shape, gx.Shape, gx.Strides, keptShape, keptStrides);
        BroadcastKernels.Binary(BinaryOp.Add, layout, gx.Elements, g.Elements, gx.Elements);
    }
}
