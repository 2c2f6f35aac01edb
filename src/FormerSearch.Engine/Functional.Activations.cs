using FormerSearch.Engine.Ops;
using FormerSearch.Engine.Tracing;

namespace FormerSearch.Engine;

public static partial class Functional
{
    /// <summary>GELU, exact erf form (PyTorch's default <c>approximate='none'</c>): <c>x·Φ(x)</c>.</summary>
    public static Tensor Gelu(Tensor x) => Activation(ActivationKind.Gelu, x);

    /// <summary><c>max(x, 0)</c>.</summary>
    public static Tensor Relu(Tensor x) => Activation(ActivationKind.Relu, x);

    /// <summary><c>min(max(x, 0), 6)</c>.</summary>
    public static Tensor Relu6(Tensor x) => Activation(ActivationKind.Relu6, x);

    /// <summary>SiLU (swish): <c>x·σ(x)</c>.</summary>
    public static Tensor Silu(Tensor x) => Activation(ActivationKind.Silu, x);

    /// <summary>Logistic sigmoid <c>1/(1 + e^−x)</c>.</summary>
    public static Tensor Sigmoid(Tensor x) => Activation(ActivationKind.Sigmoid, x);

    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor x) => Activation(ActivationKind.Tanh, x);

    /// <summary>
    /// Gated linear unit (<c>torch.nn.functional.glu</c>): <paramref name="x"/> split in halves
    /// <c>a, b</c> along <paramref name="dim"/>, result <c>a·σ(b)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The size along <paramref name="dim"/> is odd.</exception>
    public static Tensor Glu(Tensor x, int dim = -1)
    {
        using var trace = OpTrace.Enter();
        var y = GluFunction.Apply(x, dim);
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.Glu, y, x) { Axis = x.NormalizeDim(dim) }) : y;
    }

    /// <summary>
    /// MetaFormer's StarReLU <c>scale·relu(x)² + bias</c>, with learnable one-element
    /// <paramref name="scale"/> and <paramref name="bias"/> (both receive gradients).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="scale"/> or <paramref name="bias"/> is not one element.</exception>
    public static Tensor StarRelu(Tensor x, Tensor scale, Tensor bias)
    {
        using var trace = OpTrace.Enter();
        var y = StarReluFunction.Apply(x, scale, bias);
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.StarRelu, y, x, scale, bias)) : y;
    }

    /// <summary>Softmax over the last dimension (numerically stable).</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is a scalar.</exception>
    public static Tensor Softmax(Tensor x) => Softmax(x, log: false);

    /// <summary>Log-softmax over the last dimension: <c>x − max − log Σ e^(x−max)</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is a scalar.</exception>
    public static Tensor LogSoftmax(Tensor x) => Softmax(x, log: true);

    /// <summary>The pointwise activation <paramref name="kind"/> of <paramref name="x"/>.</summary>
    internal static Tensor Activation(ActivationKind kind, Tensor x)
    {
        using var trace = OpTrace.Enter();
        var y = ActivationFunction.Apply(kind, x);
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.Activation, y, x) { Activation = kind }) : y;
    }

    private static Tensor Softmax(Tensor x, bool log)
    {
        using var trace = OpTrace.Enter();
        var y = SoftmaxFunction.Apply(x, log);
        return trace.IsRecording ? trace.Record(new TracedOp(log ? TracedOpKind.LogSoftmax : TracedOpKind.Softmax, y, x)) : y;
    }
}
