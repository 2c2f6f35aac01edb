using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Activations;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// A pointwise activation <c>y = f(x)</c> (ReLU, ReLU6, GELU, SiLU, sigmoid, tanh). The backward reads
/// the saved input, or the output for sigmoid and tanh whose derivatives are cheapest from it.
/// </summary>
internal sealed class ActivationFunction : Function<ActivationFunction, ActivationFunction.State>
{
    /// <summary>The input, the tensor the derivative is read from (the input, or the output for sigmoid and tanh), and the activation.</summary>
    internal readonly record struct State(Tensor Input, Tensor Operand, ActivationKind Kind);

    public static Tensor Apply(ActivationKind kind, Tensor x)
    {
        x = x.Contiguous();
        var y = Tensor.Empty(x.Shape);
        ActivationKernels.Forward(kind, x.Elements, y.Elements);
        if (Tape.Needs(x)) Record(new(x, ActivationKernels.BackwardUsesOutput(kind) ? y : x, kind), y);
        return y;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var (input, operand, kind) = Saved;
        if (Tape.GradToWrite(input, out bool overwrite) is not { } gx) return;
        ActivationKernels.Backward(kind, operand.Elements, gradOutput.Elements, gx.Elements, accumulate: !overwrite);
    }
}
