using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Elementwise;

namespace FormerSearch.Engine.Ops;

/// <summary>A dense copy of a strided view; its gradient is scattered back through the view's layout.</summary>
internal sealed class ContiguousFunction : Function<ContiguousFunction, ContiguousFunction.State>
{
    internal readonly record struct State(Tensor Input);

    public static Tensor Apply(Tensor input)
    {
        var output = Tensor.Empty(input.Shape);
        StridedOps.Copy(input, output);
        if (Tape.Needs(input)) Record(new(input), output);
        return output;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        if (Tape.GradOf(Saved.Input) is { } g) StridedOps.AddInto(gradOutput, g);
    }
}
