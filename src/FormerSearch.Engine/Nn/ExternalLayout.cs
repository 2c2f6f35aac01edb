namespace FormerSearch.Engine.Nn;

/// <summary>
/// How a parameter is laid out in PyTorch checkpoints when that differs from our channels-last layout.
/// <see cref="Module.StateDict(bool)"/>, <see cref="Module.LoadStateDict"/> and the safetensors methods
/// convert between the two, so official checkpoints load unchanged.
/// </summary>
public enum ExternalLayout
{
    /// <summary>Stored exactly as held (Linear weights, biases, norm parameters, buffers).</summary>
    Same,

    /// <summary>
    /// A convolution weight held OHWI <c>[out, kh, kw, in/groups]</c> and stored by PyTorch OIHW
    /// <c>[out, in/groups, kh, kw]</c>.
    /// </summary>
    ConvOihw,

    /// <summary>
    /// A Linear weight <c>[out, in]</c> standing in for a 1×1 <c>nn.Conv2d</c> (channels-last makes them one
    /// GEMM), stored by PyTorch as <c>[out, in, 1, 1]</c>.
    /// </summary>
    LinearAsConv1x1,
}
