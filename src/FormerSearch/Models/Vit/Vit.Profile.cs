using FormerSearch.Engine;
using FormerSearch.Models.Blocks;
using FormerSearch.Models.Profiling;

namespace FormerSearch.Models;

public sealed partial class Vit
{
    /// <summary>
    /// Params and MACs of <paramref name="config"/> at <paramref name="options"/>' input, from the configuration
    /// alone, row by row in forward order (see <see cref="ModelProfile"/> for what is counted).
    /// </summary>
    /// <exception cref="UserInputException">The configuration or options are invalid, or the image is not a whole number of patches.</exception>
    public static ModelProfile Profile(string name, VitConfig config, ModelOptions options)
    {
        options.Validate();
        config.Validate();
        int d = config.EmbedDim, hidden = (int)(d * config.MlpRatio);
        return SkeletonOf(config).Profile(name, options, (p, tokens) =>
        {
            int[] seq = [tokens, d];
            for (int i = 0; i < config.Depth; i++)
            {
                string block = $"blocks.{i}";
                p.Norm(block + ".norm1", "layernorm", d, seq);
                Attention.Profile(p, block + ".attn", tokens, d, seq, config.QkvBias);
                p.Norm(block + ".norm2", "layernorm", d, seq);
                p.Linear(block + ".mlp.fc1", d, hidden, [tokens, hidden], tokens);
                p.Linear(block + ".mlp.fc2", hidden, d, seq, tokens);
            }
        });
    }
}
