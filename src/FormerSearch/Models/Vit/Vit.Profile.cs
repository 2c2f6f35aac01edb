using FormerSearch.Models.Profiling;

namespace FormerSearch.Models;

public sealed partial class Vit
{
    /// <summary>
    /// Params and MACs of <paramref name="config"/> at <paramref name="options"/>' input, from the configuration
    /// alone, row by row in forward order (see <see cref="ModelProfile"/> for what is counted).
    /// </summary>
    /// <exception cref="ArgumentException">The configuration or options are invalid, or the image is not a whole number of patches.</exception>
    public static ModelProfile Profile(string name, VitConfig config, ModelOptions options)
    {
        options.Validate();
        var (gh, gw) = config.Validate(options.ImageHeight, options.ImageWidth);
        int d = config.EmbedDim, tokens = gh * gw + 1, hidden = (int)(d * config.MlpRatio);
        int[] seq = [tokens, d];
        var p = new ProfileBuilder();
        p.Tensor("cls_token", "class token", [1, d], d);
        p.Tensor("pos_embed", "position embedding", seq, (long)tokens * d);
        p.Conv2d("patch_embed.proj", options.InChannels, d, config.PatchSize, config.PatchSize, 0, options.ImageHeight, options.ImageWidth);
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
        p.Norm("norm", "layernorm", d, seq);
        p.Linear("head", d, options.NumClasses, [options.NumClasses], 1);
        return p.Build(name, options.Input, options.NumClasses);
    }
}
