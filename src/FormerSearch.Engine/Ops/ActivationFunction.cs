using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Activations;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// A pointwise activation <c>y = f(x)</c> (ReLU, ReLU6, GELU, SiLU, sigmoid, tanh). The backward reads
/// the saved input, or the output for sigmoid and tanh whose derivatives are cheapest from it.
/// </summary>
internal sealed class ActivationFunction : Function<ActivationFunction>
{
    private Tensor _saved = null!;
    private Tensor _input = null!;
    private ActivationKind _kind;

    public static Tensor Apply(ActivationKind kind, Tensor x)
    {
        x = x.Contiguous();
        var y = Tensor.Empty(x.Shape);
        ActivationKernels.Forward(kind, x.Elements, y.Elements);
        if (Tape.Needs(x))
        {
            var node = Rent();
            node._kind = kind;
            node._input = x;
            node._saved = ActivationKernels.BackwardUsesOutput(kind) ? y : x;
            Tape.Record(node, y);
        }
        return y;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        if (Tape.GradOf(_input) is not { } gx) return;
        ActivationKernels.Backward(_kind, _saved.Elements, gradOutput.Elements, gx.Elements);
    }

    protected override void Clear()
    {
        _saved = null!;
        _input = null!;
    }
}
