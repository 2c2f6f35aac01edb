using FormerSearch.Engine.Ops;

namespace FormerSearch.Engine;

public static partial class Functional
{
    /// <summary>GELU, exact erf form (PyTorch's default <c>approximate='none'</c>): <c>x·Φ(x)</c>.</summary>
    public static Tensor Gelu(Tensor x) => ActivationFunction.Apply(ActivationKind.Gelu, x);

    /// <summary><c>max(x, 0)</c>.</summary>
    public static Tensor Relu(Tensor x) => ActivationFunction.Apply(ActivationKind.Relu, x);

    /// <summary><c>min(max(x, 0), 6)</c>.</summary>
    public static Tensor Relu6(Tensor x) => ActivationFunction.Apply(ActivationKind.Relu6, x);

    /// <summary>SiLU (swish): <c>x·σ(x)</c>.</summary>
    public static Tensor Silu(Tensor x) => ActivationFunction.Apply(ActivationKind.Silu, x);

    /// <summary>Logistic sigmoid <c>1/(1 + e^−x)</c>.</summary>
    public static Tensor Sigmoid(Tensor x) => ActivationFunction.Apply(ActivationKind.Sigmoid, x);

    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor x) => ActivationFunction.Apply(ActivationKind.Tanh, x);

    /// <summary>
    /// Gated linear unit (<c>torch.nn.functional.glu</c>): <paramref name="x"/> split in halves
    /// <c>a, b</c> along <paramref name="dim"/>, result <c>a·σ(b)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The size along <paramref name="dim"/> is odd.</exception>
    public static Tensor Glu(Tensor x, int dim = -1) => GluFunction.Apply(x, dim);

    /// <summary>
    /// MetaFormer's StarReLU <c>scale·relu(x)² + bias</c>, with learnable one-element
    /// <paramref name="scale"/> and <paramref name="bias"/> (both receive gradients).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="scale"/> or <paramref name="bias"/> is not one element.</exception>
    public static Tensor StarRelu(Tensor x, Tensor scale, Tensor bias) => StarReluFunction.Apply(x, scale, bias);

    /// <summary>Softmax over the last dimension (numerically stable).</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is a scalar.</exception>
    public static Tensor Softmax(Tensor x) => SoftmaxFunction.Apply(x, log: false);

    /// <summary>Log-softmax over the last dimension: <c>x − max − log Σ e^(x−max)</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is a scalar.</exception>
    public static Tensor LogSoftmax(Tensor x) => SoftmaxFunction.Apply(x, log: true);
}
