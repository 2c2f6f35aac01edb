using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Elementwise;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// <c>x</c> repeated along its size-1 (or missing leading) dimensions to a larger shape, as
/// <c>torch.Tensor.expand</c> but materialised (a dense copy, so later ops see an ordinary tensor).
/// The backward sums the gradient back over the repeated dimensions.
/// </summary>
internal sealed class ExpandFunction : Function<ExpandFunction, ExpandFunction.State>
{
    internal readonly record struct State(Tensor X);

    public static Tensor Apply(Tensor x, ReadOnlySpan<int> shape)
    {
        Span<int> target = stackalloc int[shape.Length];
        int lead = shape.Length - x.Rank;
        if (lead < 0)
            throw new ArgumentException($"Expand cannot take {Tensor.FormatShape(x.Shape)} to the lower-rank shape {Tensor.FormatShape(shape)}.");
        for (int i = 0; i < shape.Length; i++)
        {
            // -1 keeps the input's size, as in PyTorch.
            target[i] = shape[i] == -1 && i >= lead ? x.Size(i - lead) : shape[i];
            if (target[i] < 0 || (i >= lead && x.Size(i - lead) != 1 && x.Size(i - lead) != target[i]))
                throw new ArgumentException($"Expand cannot take {Tensor.FormatShape(x.Shape)} to {Tensor.FormatShape(shape)}: only size-1 dimensions can grow.");
        }
        x = x.Contiguous();
        var output = Tensor.Zeros(target);
        // output = 0 + x broadcast.
        var layout = BroadcastLayout.Create(output.Shape, output.Shape, output.Strides, x.Shape, x.Strides);
        BroadcastKernels.Binary(BinaryOp.Add, layout, output.Elements, x.StridedElements, output.Elements);
        if (Tape.Needs(x)) Record(new(x), output);
        return output;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        if (Tape.GradOf(Saved.X) is { } gx) BinaryFunction.Accumulate(gradOutput, gx);
    }
}
