namespace FormerSearch.Models.Blocks;

/// <summary>Normalisations a MetaFormer block can use; all act over the channels of channels-last data.</summary>
public enum NormKind
{
    /// <summary><c>nn.GroupNorm(1, C)</c>: statistics over all positions and channels of a sample (PoolFormer).</summary>
    GroupNorm,

    /// <summary>LayerNorm over channels at each position (PoolFormer's <c>LayerNormChannel</c>, ViT's LayerNorm).</summary>
    LayerNorm,

    /// <summary>BatchNorm over channels.</summary>
    BatchNorm,

    /// <summary>No normalisation.</summary>
    None,
}
