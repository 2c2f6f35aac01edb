using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Elementwise;

namespace FormerSearch.Engine.Ops;

/// <summary>A dense copy of a strided view; its gradient is scattered back through the view's layout.</summary>
internal sealed class ContiguousFunction : Function<ContiguousFunction>
{
    private Tensor _input = null!;

    public static Tensor Apply(Tensor input)
    {
        var output = Tensor.Empty(input.Shape);
        StridedOps.Copy(input, output);
        if (Tape.Needs(input))
        {
            var node = Rent();
            node._input = input;
            Tape.Record(node, output);
        }
        return output;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        if (Tape.GradOf(_input) is { } g) StridedOps.AddInto(gradOutput, g);
    }

    protected override void Clear() => _input = null!;
}
