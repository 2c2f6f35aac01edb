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

    /// <summary>A depthwise 3×3 convolution with bias, stride 1, padding 1 (BurgerFormer's <c>dwise_3x3</c>).</summary>
    DepthwiseConv3x3,

    /// <summary>A 1×1 convolution with bias over the channels (BurgerFormer's <c>conv_1x1</c>).</summary>
    Conv1x1,
}
