// PoolFormer and the MetaFormer baselines.
// Paper: Yu et al., "MetaFormer Is Actually What You Need for Vision", CVPR 2022, https://arxiv.org/abs/2111.11418
// Official code: https://github.com/sail-sg/poolformer (models/poolformer.py, models/metaformer.py); layouts,
// parameter names and defaults follow it so its checkpoints load (state-dict keys such as
// patch_embed.proj.weight, network.0.0.norm1.weight, network.0.0.layer_scale_1, network.1.proj.weight,
// norm.weight, head.weight).
using FormerSearch.Engine;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Models;

/// <summary>
/// PoolFormer / MetaFormer: the <see cref="StagePyramid"/> skeleton (a stem patch embedding, four stages separated by
/// downsampling patch embeddings, a final norm, global average pooling and a linear head) with stages of
/// <see cref="MetaFormerBlock"/>s, optionally a position embedding before a stage. Channels-last throughout: <c>[B, H, W, C]</c>.
/// </summary>
public sealed partial class PoolFormer : VisionModel<PoolFormerConfig>
{
    /// <summary>Builds <paramref name="config"/> for <paramref name="options"/> with fresh weights (as the official init: trunc_normal(0.02) linear and MLP weights, zero biases, PyTorch's default for the patch embeddings).</summary>
    /// <exception cref="UserInputException">The configuration or options are invalid, or the image is too small.</exception>
    public PoolFormer(PoolFormerConfig config, ModelOptions options) : base(config, options)
    {
        var sizes = config.StageSizes(options.ImageHeight, options.ImageWidth);
        var widths = config.Widths;
        var settings = config.BlockSettings(options.DropRate);
        var stem = new PatchEmbed(options.InChannels, widths[0], config.Stem.Kernel, config.Stem.Stride, config.Stem.Padding, Generator);
        var network = StagePyramid.Network(config.Depths, options.DropPathRate,
            (i, dropPath) =>
            {
                var mixer = TokenMixers.Create(config.MixerOf(i), widths[i], widths[i] / config.AttentionHeadDim, sizes[i].H, sizes[i].W, Generator, config.PoolSize);
                return new MetaFormerBlock(widths[i], mixer, settings, dropPath, Generator);
            },
            i => new PatchEmbed(widths[i], widths[i + 1], config.Downsample.Kernel, config.Downsample.Stride, config.Downsample.Padding, Generator),
            i => config.HasPositionEmbedding(i) ? new AddPositionEmbedding(widths[i], sizes[i].H, sizes[i].W) : null);
        Skeleton = new StagePyramid(this, stem, network, Layers.Norm(config.Norm, widths[^1]), widths[^1], options.NumClasses, Generator);
    }
}
