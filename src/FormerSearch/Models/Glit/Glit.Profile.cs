using FormerSearch.Engine;
using FormerSearch.Models.Profiling;

namespace FormerSearch.Models;

public sealed partial class Glit
{
    /// <summary>
    /// Params and MACs of <paramref name="config"/> at <paramref name="options"/>' input, from the configuration
    /// alone, row by row in forward order. MACs count the patch convolution, every linear layer, the attention
    /// heads' q·kᵀ and attn·v, and the local heads' three convolutions: the two pointwise ones
    /// (<c>N · in · out</c>) and the depthwise one (<c>N · inner · k</c>); norms, GLU, Swish, softmax and residual
    /// additions are not counted (see <see cref="ModelProfile"/>). The official <c>count_mixit_flops</c> (the
    /// official README's 1.33 G) counts the same terms except that it takes the first pointwise convolution at half
    /// its width (<c>C · inner</c> instead of <c>C · 2·inner</c>, forgetting the GLU's doubling) and always 197 tokens;
    /// at 224×224 that half is the whole 0.140 G between the two.
    /// </summary>
    /// <exception cref="UserInputException">The configuration or options are invalid, or the image is not a whole number of patches.</exception>
    public static ModelProfile Profile(string name, GlitConfig config, ModelOptions options)
    {
        options.Validate();
        config.Validate();
        int d = config.EmbedDim;
        return SkeletonOf(config).Profile(name, options, (p, tokens) =>
        {
            int[] seq = [tokens, d];
            for (int i = 0; i < config.Depth; i++)
            {
                string block = $"blocks.{i}.0";
                var layer = config.Layers[i];
                int hidden = config.HiddenDim(i);
                p.Norm(block + ".norm1", "layernorm", d, seq);
                if (layer.GlobalHeads > 0)
                {
                    int cv = config.GlobalDim(i), inner = layer.GlobalHeads * config.GlobalHeadWidth(i);
                    p.Linear(block + ".attn.qkv", cv, 3 * inner, [tokens, 3 * inner], tokens);
                    p.AttentionProducts(block + ".attn.attn", tokens, inner, [tokens, inner]);
                    p.Linear(block + ".attn.proj", inner, cv, [tokens, cv], tokens);
                }
                if (layer.LocalHeads > 0)
                {
                    int cc = config.LocalDim(i), inner = config.LocalInnerDim(i);
                    string net = block + ".attn.net";
                    p.Linear(net + ".1", cc, 2 * inner, [tokens, 2 * inner], tokens, kind: "conv");
                    p.Free(net + ".2", "glu", [tokens, inner]);
                    // A depthwise 1-D convolution costs what a k → inner linear layer per token does: inner·k weights
                    // plus inner biases, N·inner·k MACs.
                    p.Linear(net + ".3.conv", layer.Kernel, inner, [tokens, inner], tokens, kind: "conv");
                    p.Norm(net + ".4", "batchnorm", inner, [tokens, inner]);
                    p.Free(net + ".5", "swish", [tokens, inner]);
                    p.Linear(net + ".6", inner, cc, [tokens, cc], tokens, kind: "conv");
                }
                p.Norm(block + ".norm2", "layernorm", d, seq);
                p.Linear(block + ".mlp.fc1", d, hidden, [tokens, hidden], tokens);
                p.Linear(block + ".mlp.fc2", hidden, d, seq, tokens);
            }
        });
    }
}
