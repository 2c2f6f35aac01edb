using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Ops;
using FormerSearch.Engine.Tracing;

namespace FormerSearch.Engine;

/// <summary>
/// The ops, as <c>torch.nn.functional</c> names them. Each is recorded for autograd when an input
/// requires a gradient, and described to an attached <see cref="OpTrace"/>. This class is split by op
/// family into <c>Functional.*.cs</c> files.
/// </summary>
public static partial class Functional
{
    /// <summary>Matrix product over the last two dimensions, batched over the leading ones.</summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        using var trace = OpTrace.Enter();
        var y = MatMulFunction.Apply(a, b);
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.MatMul, y, a, b)) : y;
    }

    /// <summary><c>x·Wᵀ + b</c> over the last dimension (<c>W</c> is <c>[out, in]</c>, possibly a sub-block view).</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        using var trace = OpTrace.Enter();
        // Without a gradient to record, the forward-only op writes the product once instead of over a copy of the bias.
        var y = Tape.Needs(x, weight, bias) ? LinearFunction.Apply(x, weight, bias) : InferenceLinear.Apply(x, weight, bias, ActivationKind.None);
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.Linear, y, x, weight, bias)) : y;
    }
}
