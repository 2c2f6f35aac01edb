namespace FormerSearch.Engine;

/// <summary>
/// The activations the engine computes, named as the model layer names them in its configurations (an
/// architecture's own spelling, such as BurgerFormer's "relu6", is mapped by that model family). The pointwise
/// kernels serve <see cref="Relu"/> through <see cref="Tanh"/>; <see cref="StarRelu"/> is a layer with learned
/// scalars (<see cref="Functional.StarRelu"/>) and <see cref="None"/> is no activation at all.
/// </summary>
public enum ActivationKind
{
    /// <summary>Exact (erf) GELU, <c>nn.GELU()</c>: <c>x·Φ(x)</c>.</summary>
    Gelu,

    /// <summary>ReLU, <c>max(x, 0)</c>.</summary>
    Relu,

    /// <summary>ReLU6, <c>min(max(x, 0), 6)</c>.</summary>
    Relu6,

    /// <summary>SiLU (swish), <c>x·σ(x)</c>.</summary>
    Silu,

    /// <summary>StarReLU, <c>s·relu(x)² + b</c> with learned scalars (MetaFormer baselines' second paper).</summary>
    StarRelu,

    /// <summary>No activation.</summary>
    None,

    /// <summary>Logistic sigmoid, <c>1/(1 + e^−x)</c>.</summary>
    Sigmoid,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh,
}
