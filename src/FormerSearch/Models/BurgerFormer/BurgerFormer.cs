// BurgerFormer.
// Paper: Yang et al., "Searching for BurgerFormer with Micro-Meso-Macro Space Design", ICML 2022,
// https://proceedings.mlr.press/v162/yang22f.html
// Official code: https://github.com/xingxing-123/BurgerFormer (net.py, block.py, operation.py, arch.py); layouts,
// parameter names and defaults follow it so its checkpoints load (state-dict keys such as
// patch_embed.conv1.conv.weight, patch_embed.conv_proj.weight, network.0.0.norm_mixer_act_blocks.1.expand_start.1.weight,
// network.0.0.norm_mixer_act_blocks.2.ops.0.weight, network.0.0.norm_mixer_act_blocks.2.layer_scale, network.1.proj.weight,
// network.1.norm.weight, norm.weight, head.weight).
using FormerSearch.Engine;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Models;

/// <summary>
/// BurgerFormer: the <see cref="StagePyramid"/> skeleton with the ViT-NAS convolutional stem, four stages of
/// <see cref="BurgerFormerBlock"/>s separated by a 3×3 stride-2 convolution with GroupNorm, a final GroupNorm, global
/// average pooling and a linear head. Channels-last throughout: <c>[B, H, W, C]</c>. Stages with a spatial MLP are tied
/// to the input size they were built for (the official code fixes 56/28/14/7, i.e. 224 px; here any size the
/// convolutions allow).
/// </summary>
public sealed partial class BurgerFormer : VisionModel<BurgerFormerConfig>
{
    /// <summary>Builds <paramref name="config"/> for <paramref name="options"/> with fresh weights (as the official init: trunc_normal(0.02) for every linear layer with zero bias, PyTorch's default for convolutions, layer scales 1e-5).</summary>
    /// <exception cref="UserInputException">The configuration or options are invalid, or the image is too small.</exception>
    public BurgerFormer(BurgerFormerConfig config, ModelOptions options) : base(config, options)
    {
        var sizes = config.StageSizes(options.ImageHeight, options.ImageWidth);
        var stages = config.Stages;
        var stem = new VitNasStem(options.InChannels, config.StemChannels, stages[0].Width, Generator, config.ProjectionStride);
        var network = StagePyramid.Network(stages.Select(s => s.Depth).ToList(), options.DropPathRate,
            (i, dropPath) => new BurgerFormerBlock(stages[i].Width, stages[i].Meso, stages[i].Ratio, config.AttentionHeads[i], sizes[i].H, sizes[i].W,
                config.LayerScaleInit, dropPath, Generator),
            i => new PatchEmbed(stages[i].Width, stages[i + 1].Width, 3, 2, 1, Generator, NormKind.GroupNorm));
        Skeleton = new StagePyramid(this, stem, network, Layers.Norm(NormKind.GroupNorm, stages[^1].Width), stages[^1].Width, options.NumClasses, Generator);
    }
}
