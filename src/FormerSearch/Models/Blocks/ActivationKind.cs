namespace FormerSearch.Models.Blocks;

/// <summary>Activations of a MetaFormer MLP.</summary>
public enum ActivationKind
{
    /// <summary>Exact (erf) GELU, <c>nn.GELU()</c>.</summary>
    Gelu,

    /// <summary>ReLU.</summary>
    Relu,

    /// <summary>ReLU6.</summary>
    Relu6,

    /// <summary>SiLU (swish).</summary>
    Silu,

    /// <summary>StarReLU, <c>s·relu(x)² + b</c> with learned scalars (MetaFormer baselines' second paper).</summary>
    StarRelu,

    /// <summary>No activation.</summary>
    None,
}
