using FormerSearch.Engine;
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
        config.Validate(options.ImageHeight, options.ImageWidth);
        var p = new ProfileBuilder();
        int d = config.EmbedDim, tokens = config.Skeleton.ProfileStem(p, options), hidden = (int)(d * config.MlpRatio);
        int[] seq = [tokens, d];
        for (int i = 0; i < config.Depth; i++)
        {
            string block = $"blocks.{i}";
            p.Norm(block + ".norm1", "layernorm", d, seq);
            p.Linear(block + ".attn.qkv", d, 3 * d, [tokens, 3 * d], tokens, bias: config.QkvBias);
            p.AttentionProducts(block + ".attn.attn", tokens, d, seq);
            p.Linear(block + ".attn.proj", d, d, seq, tokens);
            p.Norm(block + ".norm2", "layernorm", d, seq);
            p.Linear(block + ".mlp.fc1", d, hidden, [tokens, hidden], tokens);
            p.Linear(block + ".mlp.fc2", hidden, d, seq, tokens);
        }
        config.Skeleton.ProfileHead(p, options, tokens);
        return p.Build(name, options.Input, options.NumClasses);
    }
}
