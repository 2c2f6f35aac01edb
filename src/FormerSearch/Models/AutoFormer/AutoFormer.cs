// AutoFormer: the published subnets found by one-shot supernet search.
// Paper: Chen et al., "AutoFormer: Searching Transformers for Visual Recognition", ICCV 2021, https://arxiv.org/abs/2107.00651.
// Reference code: microsoft/Cream, AutoFormer/model/supernet_transformer.py and model/module/*.py, run as its README
// does (--gp --change_qkv --relative_position, qkv bias, absolute position embedding). Parameter names follow its
// state dict (pos_embed, cls_token, patch_embed_super.proj.weight, blocks.0.attn.qkv.weight,
// blocks.0.attn.rel_pos_embed_k.embeddings_table_v, blocks.0.attn_layer_norm.weight, blocks.0.fc1.weight, norm.weight,
// head.weight) with the subnet's sizes: the slices the supernet would activate.
using FormerSearch.Engine;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Models;

/// <summary>
/// AutoFormer: the <see cref="ClassTokenVit"/> skeleton (a patch-size convolution to tokens, a class token, a learned
/// absolute position embedding, a final LayerNorm) around pre-norm encoder layers with 64-wide heads and 2-D relative
/// position embeddings (per-layer heads and MLP ratios), and a linear head on the mean of the patch tokens (the class
/// token is left out of the pool, as the official <c>--gp</c> does, but still attends and is attended to).
/// </summary>
public sealed partial class AutoFormer : VisionModel<AutoFormerConfig>
{
    /// <summary>Builds <paramref name="config"/> for <paramref name="options"/> with fresh weights, initialised as the official code: trunc_normal(0.02) for linear weights, the tokens, the position and relative position embeddings, zero biases, LayerNorm 1/0, PyTorch's default for the patch convolution.</summary>
    /// <exception cref="UserInputException">The configuration or options are invalid, or the image is not a whole number of patches.</exception>
    public AutoFormer(AutoFormerConfig config, ModelOptions options) : base(config, options)
    {
        var skeleton = SkeletonOf(config);
        var (_, gridW) = skeleton.PatchGrid(options.ImageHeight, options.ImageWidth);
        // The official rule spreads the drop-path rate over the supernet's depth; a standalone subnet spreads it over its own.
        Skeleton = new ClassTokenVit(this, skeleton, options, Generator, (i, dropPath) =>
            new AutoFormerBlock(config.EmbedDim, config.NumHeads[i], config.HeadDim, config.HiddenDim(i), config.MaxRelativePosition,
                config.QkvBias, config.NormEps, options.DropRate, dropPath, gridW, Generator));
    }

    // The official names: pos_embed before cls_token, patch_embed_super, blocks, norm, head on the mean of the patch tokens (--gp).
    private static ClassTokenVitSpec SkeletonOf(AutoFormerConfig config) =>
        ClassTokenVitSpec.ForAutoFormer(config.EmbedDim, config.PatchSize, config.Depth, config.NormEps);
}
