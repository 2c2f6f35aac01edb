using FormerSearch.Engine;

namespace FormerSearch.Models;

/// <summary>A plain ViT as timm's <c>VisionTransformer</c> builds DeiT (Touvron et al., 2021).</summary>
public sealed record VitConfig : IModelConfig
{
    /// <summary>Side of the square patches of the convolutional stem. Default: 16.</summary>
    public int PatchSize { get; init; } = 16;

    /// <summary>Token width. DeiT-Ti 192, S 384, B 768.</summary>
    public required int EmbedDim { get; init; }

    /// <summary>Transformer blocks. Default: 12.</summary>
    public int Depth { get; init; } = 12;

    /// <summary>Attention heads. DeiT-Ti 3, S 6, B 12.</summary>
    public required int NumHeads { get; init; }

    /// <summary>MLP hidden width over token width. Default: 4.</summary>
    public float MlpRatio { get; init; } = 4f;

    /// <summary>Bias on the qkv projection. Default: true.</summary>
    public bool QkvBias { get; init; } = true;

    /// <summary>LayerNorm epsilon. Default: 1e-6 (timm's ViT).</summary>
    public float NormEps { get; init; } = 1e-6f;

    /// <summary>Checks the sizes (the image is checked against the patch size when the model is built).</summary>
    /// <exception cref="UserInputException">A size is not positive or the heads do not divide the width.</exception>
    public void Validate()
    {
        SizeLimits.CheckDepth(Depth, "the ViT");
        SizeLimits.CheckWidth(EmbedDim, "The ViT width");
        SizeLimits.CheckWidth(EmbedDim * (double)MlpRatio, "The ViT MLP width");
        SizeLimits.CheckHeads(NumHeads, "The ViT head count");
        if (PatchSize < 1 || EmbedDim < 1 || Depth < 1 || NumHeads < 1 || !(MlpRatio > 0) || (int)(EmbedDim * MlpRatio) < 1)
            throw new UserInputException($"Invalid ViT config: patch {PatchSize}, width {EmbedDim}, depth {Depth}, heads {NumHeads}, MLP ratio {MlpRatio}.");
        if (EmbedDim % NumHeads != 0)
            throw new UserInputException($"The ViT width {EmbedDim} is not divisible by {NumHeads} heads.");
    }
}
