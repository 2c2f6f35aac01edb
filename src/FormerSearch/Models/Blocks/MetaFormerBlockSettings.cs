using FormerSearch.Engine;

namespace FormerSearch.Models.Blocks;

/// <summary>Everything about a <see cref="MetaFormerBlock"/> except its width and token mixer.</summary>
public sealed record MetaFormerBlockSettings
{
    /// <summary>Norm before the mixer and before the MLP. Default: GroupNorm with one group (PoolFormer).</summary>
    public NormKind Norm { get; init; } = NormKind.GroupNorm;

    /// <summary>Epsilon of the norms. Default: 1e-5 (PyTorch's; ViT uses 1e-6).</summary>
    public float NormEps { get; init; } = 1e-5f;

    /// <summary>MLP activation. Default: GELU.</summary>
    public ActivationKind Activation { get; init; } = ActivationKind.Gelu;

    /// <summary>MLP hidden width over block width; the hidden width is <c>int(dim · ratio)</c>. Default: 4.</summary>
    public float MlpRatio { get; init; } = 4f;

    /// <summary>Export the MLP's layers as 1×1 convolutions (PoolFormer) rather than linear layers (ViT). Default: true.</summary>
    public bool MlpAsConv1x1 { get; init; } = true;

    /// <summary>Learned per-channel scales on both branches (CaiT's LayerScale). Default: on.</summary>
    public bool UseLayerScale { get; init; } = true;

    /// <summary>Initial layer scale. Default: 1e-5 (PoolFormer S12/S24; 1e-6 for the deeper ones).</summary>
    public float LayerScaleInit { get; init; } = 1e-5f;

    /// <summary>Dropout inside the MLP. Default: 0.</summary>
    public float DropRate { get; init; }

    /// <summary>State-dict name of the mixer. Default: <c>token_mixer</c> (MetaFormer); timm's ViT says <c>attn</c>.</summary>
    public string MixerName { get; init; } = "token_mixer";

    /// <summary>A ViT block's (timm's <c>Block</c>, which DeiT and GLiT use): LayerNorm of <paramref name="normEps"/>, a linear MLP of <paramref name="mlpRatio"/>, no layer scale, the mixer named <c>attn</c>.</summary>
    public static MetaFormerBlockSettings ForVit(float normEps, float mlpRatio, float dropRate) => new()
    {
        Norm = NormKind.LayerNorm,
        NormEps = normEps,
        MlpRatio = mlpRatio,
        MlpAsConv1x1 = false,
        UseLayerScale = false,
        DropRate = dropRate,
        MixerName = "attn",
    };
}
