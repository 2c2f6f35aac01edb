// PoolFormer and the MetaFormer baselines.
// Paper: Yu et al., "MetaFormer Is Actually What You Need for Vision", CVPR 2022, https://arxiv.org/abs/2111.11418
// Official code: https://github.com/sail-sg/poolformer (models/poolformer.py, models/metaformer.py); layouts,
// parameter names and defaults follow it so its checkpoints load (state-dict keys such as
// patch_embed.proj.weight, network.0.0.norm1.weight, network.0.0.layer_scale_1, network.1.proj.weight,
// norm.weight, head.weight).
using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Models;

/// <summary>
/// PoolFormer / MetaFormer: the <see cref="StagePyramid"/> skeleton (a stem patch embedding, four stages separated by
/// downsampling patch embeddings, a final norm, global average pooling and a linear head) with stages of
/// <see cref="MetaFormerBlock"/>s, optionally a position embedding before a stage. Channels-last throughout: <c>[B, H, W, C]</c>.
/// </summary>
public sealed partial class PoolFormer : VisionModel
{
    /// <summary>Builds <paramref name="config"/> for <paramref name="options"/> with fresh weights (as the official init: trunc_normal(0.02) linear and MLP weights, zero biases, PyTorch's default for the patch embeddings).</summary>
    /// <exception cref="UserInputException">The configuration or options are invalid, or the image is too small.</exception>
    public PoolFormer(PoolFormerConfig config, ModelOptions options) : base(options.Input)
    {
        var generator = StartRandomness(options);
        config.Validate();
        Config = config;
        var sizes = config.StageSizes(options.ImageHeight, options.ImageWidth);
        var widths = config.Widths;
        var settings = config.BlockSettings(options.DropRate);

        var stem = new PatchEmbed(options.InChannels, widths[0], config.Stem.Kernel, config.Stem.Stride, config.Stem.Padding, generator);
        var network = new List<Layer>();
        int totalBlocks = config.Depths.Sum(), blockIndex = 0;
        for (int i = 0; i < widths.Count; i++)
        {
            var (h, w) = sizes[i];
            if (config.HasPositionEmbedding(i)) network.Add(new AddPositionEmbedding(widths[i], h, w));
            var stage = new Sequential();
            for (int j = 0; j < config.Depths[i]; j++, blockIndex++)
            {
                float dropPath = StochasticDepth.Rate(options.DropPathRate, blockIndex, totalBlocks);
                stage.Add(new MetaFormerBlock(widths[i], Mixer(config, i, h, w, generator), settings, dropPath, generator));
            }
            network.Add(stage);
            if (i + 1 < widths.Count)
                network.Add(new PatchEmbed(widths[i], widths[i + 1], config.Downsample.Kernel, config.Downsample.Stride, config.Downsample.Padding, generator));
        }
        Skeleton = new StagePyramid(this, stem, network, Layers.Norm(config.Norm, widths[^1]), widths[^1], options.NumClasses, generator);
    }

    /// <summary>The architecture.</summary>
    public PoolFormerConfig Config { get; }

    private static Layer Mixer(PoolFormerConfig config, int stage, int h, int w, Generator generator)
    {
        switch (config.MixerOf(stage))
        {
            case TokenMixerKind.Pooling:
                return new Pooling(config.PoolSize);
            case TokenMixerKind.Attention:
                var attention = new Attention(config.Widths[stage], config.Widths[stage] / config.AttentionHeadDim, generator);
                Layers.TruncNormalInitChildren(attention, generator);
                return attention;
            case TokenMixerKind.SpatialFc:
                var fc = new SpatialFc(h, w, generator);
                Layers.TruncNormalInitChildren(fc, generator);
                return fc;
            default:
                return new Identity();
        }
    }
}
