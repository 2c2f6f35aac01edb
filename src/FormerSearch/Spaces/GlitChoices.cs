namespace FormerSearch.Spaces;

/// <summary>The choices of a <see cref="GlitSpace"/> block, by name and value type, and their groups.</summary>
public static class GlitChoices
{
    /// <summary>The group of the head splits (searched in the hierarchical search's first stage).</summary>
    public const string DistributionGroup = "distribution";

    /// <summary>The group of kernels, expansions and FFN ratios.</summary>
    public const string DetailGroup = "detail";

    /// <summary>Block <paramref name="block"/>'s global-local head split: <c>block{i}.split</c>.</summary>
    public static ChoiceKey<GlitHeadSplit> Split(int block) => new($"block{block}.split", GlitHeadSplit.Parse, split => split.ToString());

    /// <summary>Block <paramref name="block"/>'s local kernel: <c>block{i}.kernel</c>.</summary>
    public static ChoiceKey<int> Kernel(int block) => ChoiceKey.Integer($"block{block}.kernel");

    /// <summary>Block <paramref name="block"/>'s local expansion e_c: <c>block{i}.local_expansion</c>.</summary>
    public static ChoiceKey<int> LocalExpansion(int block) => ChoiceKey.Integer($"block{block}.local_expansion");

    /// <summary>Block <paramref name="block"/>'s global Q-K-V expansion e_v: <c>block{i}.global_expansion</c>.</summary>
    public static ChoiceKey<float> GlobalExpansion(int block) => ChoiceKey.Number($"block{block}.global_expansion");

    /// <summary>Block <paramref name="block"/>'s FFN ratio: <c>block{i}.ffn_ratio</c>.</summary>
    public static ChoiceKey<float> FfnRatio(int block) => ChoiceKey.Number($"block{block}.ffn_ratio");
}
