namespace FormerSearch.Supernets;

/// <summary>Whether a GLiT supernet's head splits (g global + l local heads of a block) share their weights.</summary>
public enum HeadSplitWeights
{
    /// <summary>Each split has weights of its own (SPOS style, as the paper's Sec. 3.3 trains alternatives); a split sees only the steps that draw it.</summary>
    Own,

    /// <summary>
    /// One mixer of every head of both kinds serves all splits, each channel keeping its weights (global heads the first
    /// channels of one attention, local heads the last channels of one convolution module), as AutoFormer entangles widths.
    /// </summary>
    Shared,
}
