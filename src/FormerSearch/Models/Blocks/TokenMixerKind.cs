namespace FormerSearch.Models.Blocks;

/// <summary>Token mixers of a MetaFormer block.</summary>
public enum TokenMixerKind
{
    /// <summary>No mixing (MetaFormer's identity baseline).</summary>
    Identity,

    /// <summary>PoolFormer's <c>pool(x) − x</c> with a 3×3 average pool, stride 1, padding 1, padding excluded from the mean.</summary>
    Pooling,

    /// <summary>Multi-head self-attention over all positions.</summary>
    Attention,

    /// <summary>A bias-free linear layer across the positions (MetaFormer's "spatial FC"), shared by the channels.</summary>
    SpatialFc,
}
