// Vision Transformer with DeiT's settings.
// Papers: Dosovitskiy et al., "An Image is Worth 16x16 Words", ICLR 2021, https://arxiv.org/abs/2010.11929;
// Touvron et al., "Training data-efficient image transformers & distillation through attention" (DeiT),
// ICML 2021, https://arxiv.org/abs/2012.12877.
// Reference code: timm's VisionTransformer (vision_transformer.py), which DeiT's official repository
// uses; parameter names follow it (cls_token, pos_embed, patch_embed.proj.weight, blocks.0.attn.qkv.weight,
// blocks.0.mlp.fc1.weight, norm.weight, head.weight) so timm/DeiT checkpoints load.
using FormerSearch.Engine;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Models;

/// <summary>
/// ViT: the <see cref="ClassTokenVit"/> skeleton (patch embedding, class token, position embedding, final LayerNorm,
/// head on the class token) around pre-norm transformer blocks: a <see cref="MetaFormerBlock"/> with attention,
/// LayerNorm and no layer scale.
/// </summary>
public sealed partial class Vit : VisionModel<VitConfig>
{
    /// <summary>Builds <paramref name="config"/> for <paramref name="options"/> with fresh weights, initialised as timm: trunc_normal(0.02) for linear weights, the class token and the position embedding, zero biases, LayerNorm 1/0, PyTorch's default for the patch convolution.</summary>
    /// <exception cref="UserInputException">The configuration or options are invalid, or the image is not a whole number of patches.</exception>
    public Vit(VitConfig config, ModelOptions options) : base(config, options)
    {
        var settings = MetaFormerBlockSettings.ForVit(config.NormEps, config.MlpRatio, options.DropRate);
        Skeleton = new ClassTokenVit(this, SkeletonOf(config), options, Generator, (_, dropPath) =>
        {
            var attention = new Attention(config.EmbedDim, config.NumHeads, Generator, qkvBias: config.QkvBias, attnDrop: 0f, projDrop: options.DropRate);
            Layers.TruncNormalInitChildren(attention, Generator);
            return new MetaFormerBlock(config.EmbedDim, attention, settings, dropPath, Generator);
        });
    }

    // timm's names: cls_token, pos_embed, patch_embed, blocks, norm, head on the class token.
    private static ClassTokenVitSpec SkeletonOf(VitConfig config) =>
        ClassTokenVitSpec.ForDeit(config.EmbedDim, config.PatchSize, config.Depth, config.NormEps);
}
