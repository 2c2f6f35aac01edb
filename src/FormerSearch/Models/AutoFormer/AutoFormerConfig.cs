using FormerSearch.Engine;

namespace FormerSearch.Models;

/// <summary>
/// A standalone AutoFormer subnet (Chen et al., 2021) as the official code runs it with <c>--gp --change_qkv
/// --relative_position</c>: one embedding width, and per layer its heads (64 channels each for q, k and v)
/// and MLP ratio.
/// </summary>
public sealed record AutoFormerConfig : IModelConfig
{
    /// <summary>Side of the square patches of the convolutional stem. Default: 16.</summary>
    public int PatchSize { get; init; } = 16;

    /// <summary>Token width, shared by every layer. AutoFormer-T 192, S 384, B 576.</summary>
    public required int EmbedDim { get; init; }

    /// <summary>Attention heads of each layer; its length is the depth.</summary>
    public required IReadOnlyList<int> NumHeads { get; init; }

    /// <summary>MLP hidden width over token width of each layer (the hidden width is <c>⌊EmbedDim·ratio⌋</c>).</summary>
    public required IReadOnlyList<float> MlpRatios { get; init; }

    /// <summary>Channels per head of q, k and v, independent of the width (<c>--change_qkv</c>). Default: 64.</summary>
    public int HeadDim { get; init; } = 64;

    /// <summary>Largest row or column distance the relative position tables tell apart. Default: 14.</summary>
    public int MaxRelativePosition { get; init; } = 14;

    /// <summary>Bias on the qkv projection. Default: true (the official training script passes it).</summary>
    public bool QkvBias { get; init; } = true;

    /// <summary>LayerNorm epsilon. Default: 1e-5 (torch.nn.LayerNorm's, which the official code keeps).</summary>
    public float NormEps { get; init; } = 1e-5f;

    /// <summary>Transformer layers.</summary>
    public int Depth => NumHeads.Count;

    /// <summary>MLP hidden width of layer <paramref name="layer"/>, <c>int(EmbedDim·ratio)</c> as the official code truncates it.</summary>
    public int HiddenDim(int layer) => (int)(EmbedDim * MlpRatios[layer]);

    /// <summary>Checks the sizes (the image is checked against the patch size when the model is built).</summary>
    /// <exception cref="UserInputException">A size is not positive or the per-layer lists differ in length.</exception>
    public void Validate()
    {
        SizeLimits.CheckDepth(NumHeads.Count, "the AutoFormer");
        SizeLimits.CheckWidth(EmbedDim, "The AutoFormer width");
        SizeLimits.CheckWidth(HeadDim, "The AutoFormer head width");
        for (int i = 0; i < NumHeads.Count && i < MlpRatios.Count; i++)
        {
            SizeLimits.CheckHeads(NumHeads[i], $"AutoFormer layer {i}'s head count");
            SizeLimits.CheckWidth(EmbedDim * (double)MlpRatios[i], $"AutoFormer layer {i}'s MLP width");
        }
        if (PatchSize < 1 || EmbedDim < 1 || HeadDim < 1 || MaxRelativePosition < 0 || NumHeads.Count < 1)
            throw new UserInputException($"Invalid AutoFormer config: patch {PatchSize}, width {EmbedDim}, head width {HeadDim}, max distance {MaxRelativePosition}, depth {NumHeads.Count}.");
        if (MlpRatios.Count != NumHeads.Count)
            throw new UserInputException($"AutoFormer has {NumHeads.Count} per-layer head counts but {MlpRatios.Count} MLP ratios.");
        for (int i = 0; i < NumHeads.Count; i++)
        {
            if (NumHeads[i] < 1 || !(MlpRatios[i] > 0) || HiddenDim(i) < 1)
                throw new UserInputException($"AutoFormer layer {i} has {NumHeads[i]} heads and MLP ratio {MlpRatios[i]}; both must be positive.");
        }
    }
}
