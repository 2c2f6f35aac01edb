namespace FormerSearch.Engine.Kernels.Activations;

/// <summary>The pointwise activations with a kernel here.</summary>
internal enum ActivationKind
{
    Relu,
    Relu6,
    Gelu,
    Silu,
    Sigmoid,
    Tanh,
}
