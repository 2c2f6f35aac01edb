using FormerSearch.Engine;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Models;

/// <summary>
/// A PoolFormer / MetaFormer architecture (sail-sg/poolformer's <c>PoolFormer</c> and <c>MetaFormer</c>
/// constructors): four stages of MetaFormer blocks, a 7×7 stride-4 stem, a 3×3 stride-2 patch embedding
/// between stages, a final norm, global average pooling and a linear classifier.
/// </summary>
public sealed record PoolFormerConfig : IModelConfig
{
    /// <summary>Blocks per stage. S12: [2, 2, 6, 2].</summary>
    public required IReadOnlyList<int> Depths { get; init; }

    /// <summary>Channels per stage. S: [64, 128, 320, 512]; M: [96, 192, 384, 768].</summary>
    public required IReadOnlyList<int> Widths { get; init; }

    /// <summary>Token mixer per stage. Default: pooling in every stage (PoolFormer).</summary>
    public IReadOnlyList<TokenMixerKind>? Mixers { get; init; }

    /// <summary>Stages preceded by a learned position embedding (<c>AddPositionEmb</c>). Default: none.</summary>
    public IReadOnlyList<bool>? PositionEmbeddings { get; init; }

    /// <summary>MLP hidden width over block width, every stage. Default: 4.</summary>
    public float MlpRatio { get; init; } = 4f;

    /// <summary>Norm of the blocks and the final norm. Default: GroupNorm(1, C) (the pool/attention hybrids use LayerNormChannel).</summary>
    public NormKind Norm { get; init; } = NormKind.GroupNorm;

    /// <summary>MLP activation. Default: GELU.</summary>
    public ActivationKind Activation { get; init; } = ActivationKind.Gelu;

    /// <summary>Pooling window of the pooling mixer. Default: 3.</summary>
    public int PoolSize { get; init; } = 3;

    /// <summary>Channels per attention head of the attention mixer. Default: 32 (MetaFormer's <c>Attention(head_dim=32)</c>).</summary>
    public int AttentionHeadDim { get; init; } = 32;

    /// <summary>Stem kernel, stride and padding. Default: 7, 4, 2.</summary>
    public (int Kernel, int Stride, int Padding) Stem { get; init; } = (7, 4, 2);

    /// <summary>Downsampling kernel, stride and padding between stages. Default: 3, 2, 1.</summary>
    public (int Kernel, int Stride, int Padding) Downsample { get; init; } = (3, 2, 1);

    /// <summary>Layer scale on both branches of every block. Default: on.</summary>
    public bool UseLayerScale { get; init; } = true;

    /// <summary>Initial layer scale. Default: 1e-5 (S12, S24, the baselines); S36, M36, M48 use 1e-6.</summary>
    public float LayerScaleInit { get; init; } = 1e-5f;

    /// <summary>The mixer of stage <paramref name="stage"/>.</summary>
    public TokenMixerKind MixerOf(int stage) => Mixers is null ? TokenMixerKind.Pooling : Mixers[stage];

    /// <summary>Whether stage <paramref name="stage"/> starts with a position embedding.</summary>
    public bool HasPositionEmbedding(int stage) => PositionEmbeddings is not null && PositionEmbeddings[stage];

    /// <summary>Block settings shared by every stage.</summary>
    public MetaFormerBlockSettings BlockSettings(float dropRate) => new()
    {
        Norm = Norm,
        Activation = Activation,
        MlpRatio = MlpRatio,
        UseLayerScale = UseLayerScale,
        LayerScaleInit = LayerScaleInit,
        DropRate = dropRate,
    };

    /// <summary>Checks list lengths, sizes and widths against each other.</summary>
    /// <exception cref="UserInputException">Lists differ in length; a depth, width, MLP ratio, pooling window, head width or convolution size is not positive (or the window not odd); or attention widths are not divisible by the head width.</exception>
    public void Validate()
    {
        SizeLimits.CheckDepth(Depths.Sum(d => (long)d), "the PoolFormer");
        foreach (int width in Widths) SizeLimits.CheckWidth(width * (double)Math.Max(1f, MlpRatio), "A PoolFormer stage's (MLP) width");
        int stages = Depths.Count;
        if (stages == 0 || Widths.Count != stages || (Mixers is not null && Mixers.Count != stages)
            || (PositionEmbeddings is not null && PositionEmbeddings.Count != stages))
            throw new UserInputException($"A PoolFormer config needs one depth, width, mixer and position-embedding flag per stage; got {Depths.Count} depths and {Widths.Count} widths.");
        if (PoolSize < 1 || PoolSize % 2 == 0 || AttentionHeadDim < 1)
            throw new UserInputException($"A PoolFormer config needs an odd, positive pooling window and a positive attention head width; got {PoolSize} and {AttentionHeadDim}.");
        if (Stem.Kernel < 1 || Stem.Stride < 1 || Stem.Padding < 0 || Downsample.Kernel < 1 || Downsample.Stride < 1 || Downsample.Padding < 0)
            throw new UserInputException($"A PoolFormer config needs positive kernels and strides and non-negative paddings; got stem {Stem} and downsampling {Downsample}.");
        for (int i = 0; i < stages; i++)
        {
            if (Depths[i] < 1 || Widths[i] < 1 || (int)(Widths[i] * MlpRatio) < 1)
                throw new UserInputException($"Stage {i} needs a positive depth, width and MLP width; got depth {Depths[i]}, width {Widths[i]}, MLP ratio {MlpRatio}.");
            if (MixerOf(i) == TokenMixerKind.Attention && Widths[i] % AttentionHeadDim != 0)
                throw new UserInputException($"Stage {i} width {Widths[i]} is not divisible by the attention head width {AttentionHeadDim}.");
        }
    }

    /// <summary>Feature-map size after the stem and after each downsampling, for an <paramref name="height"/>×<paramref name="width"/> image.</summary>
    /// <exception cref="UserInputException">The image is too small for a convolution.</exception>
    public (int H, int W)[] StageSizes(int height, int width)
    {
        var sizes = new (int H, int W)[Depths.Count];
        int h = Profiling.ProfileBuilder.ConvOut("patch_embed.proj", height, Stem.Kernel, Stem.Stride, Stem.Padding);
        int w = Profiling.ProfileBuilder.ConvOut("patch_embed.proj", width, Stem.Kernel, Stem.Stride, Stem.Padding);
        for (int i = 0; i < sizes.Length; i++)
        {
            if (i > 0)
            {
                h = Profiling.ProfileBuilder.ConvOut("a downsampling layer", h, Downsample.Kernel, Downsample.Stride, Downsample.Padding);
                w = Profiling.ProfileBuilder.ConvOut("a downsampling layer", w, Downsample.Kernel, Downsample.Stride, Downsample.Padding);
            }
            sizes[i] = (h, w);
        }
        return sizes;
    }
}
