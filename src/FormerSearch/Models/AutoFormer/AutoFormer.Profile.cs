using FormerSearch.Engine;
using FormerSearch.Models.Profiling;

namespace FormerSearch.Models;

public sealed partial class AutoFormer
{
    /// <summary>
    /// Params and MACs of <paramref name="config"/> at <paramref name="options"/>' input, from the configuration
    /// alone, row by row in forward order (see <see cref="ModelProfile"/> for what is counted). The relative
    /// position terms are counted as the matrix products the official code computes, q·R_kᵀ and attn·R_v,
    /// <c>N²·heads·headDim</c> MACs each (so an attention row is <c>4·N²·heads·headDim</c>); the table lookups and
    /// additions are not.
    /// </summary>
    /// <exception cref="UserInputException">The configuration or options are invalid, or the image is not a whole number of patches.</exception>
    public static ModelProfile Profile(string name, AutoFormerConfig config, ModelOptions options)
    {
        options.Validate();
        config.Validate();
        int d = config.EmbedDim, tables = 2 * config.MaxRelativePosition + 2;
        return SkeletonOf(config).Profile(name, options, (p, tokens) =>
        {
            int[] seq = [tokens, d];
            for (int i = 0; i < config.Depth; i++)
            {
                string block = $"blocks.{i}";
                int inner = config.NumHeads[i] * config.HeadDim, hidden = config.HiddenDim(i);
                p.Norm(block + ".attn_layer_norm", "layernorm", d, seq);
                p.Linear(block + ".attn.qkv", d, 3 * inner, [tokens, 3 * inner], tokens, bias: config.QkvBias);
                p.Tensor(block + ".attn.rel_pos_embed_k", "relative position", [tokens, tokens, config.HeadDim], 2L * tables * config.HeadDim);
                p.Tensor(block + ".attn.rel_pos_embed_v", "relative position", [tokens, tokens, config.HeadDim], 2L * tables * config.HeadDim);
                // q·kᵀ, attn·v, q·R_kᵀ and attn·R_v: two attention-product pairs over the inner width.
                p.AttentionProducts(block + ".attn.attn", tokens, inner, [tokens, inner]);
                p.AttentionProducts(block + ".attn.rel_pos", tokens, inner, [tokens, inner]);
                p.Linear(block + ".attn.proj", inner, d, seq, tokens);
                p.Norm(block + ".ffn_layer_norm", "layernorm", d, seq);
                p.Linear(block + ".fc1", d, hidden, [tokens, hidden], tokens);
                p.Linear(block + ".fc2", hidden, d, seq, tokens);
            }
        });
    }
}
