using FormerSearch.Engine;
using FormerSearch.Models.Blocks;
using FormerSearch.Models.Profiling;

namespace FormerSearch.Models;

public sealed partial class PoolFormer
{
    /// <summary>
    /// Params and MACs of <paramref name="config"/> at <paramref name="options"/>' input, from the configuration
    /// alone, row by row in forward order (see <see cref="ModelProfile"/> for what is counted).
    /// </summary>
    /// <exception cref="UserInputException">The configuration or options are invalid, or the image is too small.</exception>
    public static ModelProfile Profile(string name, PoolFormerConfig config, ModelOptions options)
    {
        options.Validate();
        config.Validate();
        return StagePyramid.Profile(name, options, Layers.NormLabel(config.Norm), config.Norm != NormKind.None, p =>
        {
            var widths = config.Widths;
            var (h, w) = p.Conv2d("patch_embed.proj", options.InChannels, widths[0], config.Stem.Kernel, config.Stem.Stride, config.Stem.Padding, options.ImageHeight, options.ImageWidth);
            int index = 0;
            for (int i = 0; i < widths.Count; i++)
            {
                int c = widths[i];
                int[] map = [h, w, c];
                long positions = (long)h * w;
                if (config.HasPositionEmbedding(i)) p.Tensor($"network.{index++}.pos_embed", "position embedding", map, positions * c);
                for (int j = 0; j < config.Depths[i]; j++)
                {
                    string block = $"network.{index}.{j}";
                    if (config.UseLayerScale)
                    {
                        p.Tensor(block + ".layer_scale_1", "layer scale", map, c);
                        p.Tensor(block + ".layer_scale_2", "layer scale", map, c);
                    }
                    p.Norm(block + ".norm1", Layers.NormLabel(config.Norm), c, map, config.Norm != NormKind.None);
                    TokenMixers.Profile(p, block + ".token_mixer", config.MixerOf(i), c, h, w);
                    p.Norm(block + ".norm2", Layers.NormLabel(config.Norm), c, map, config.Norm != NormKind.None);
                    int hidden = (int)(c * config.MlpRatio);
                    p.Linear(block + ".mlp.fc1", c, hidden, [h, w, hidden], positions, kind: "conv1x1");
                    p.Linear(block + ".mlp.fc2", hidden, c, map, positions, kind: "conv1x1");
                }
                index++;
                if (i + 1 < widths.Count)
                    (h, w) = p.Conv2d($"network.{index++}.proj", c, widths[i + 1], config.Downsample.Kernel, config.Downsample.Stride, config.Downsample.Padding, h, w);
            }
            return (h, w, widths[^1]);
        });
    }
}
