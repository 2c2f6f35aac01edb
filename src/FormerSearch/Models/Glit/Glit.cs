// GLiT: global-local image transformers found by neural architecture search.
// Paper: Chen et al., "GLiT: Neural Architecture Search for Global and Local Image Transformer", ICCV 2021,
// https://arxiv.org/abs/2107.02960.
// Reference code: bychen515/GLiT, glit_models.py (RetrainTransformer, Block_mix, glit_tiny_patch16_224) and
// mix_attention.py (Vit_Attention, Conv_Attention, Mix_Attention). Parameter names follow its state dict
// (cls_token, pos_embed, patch_embed.proj.weight, blocks.0.0.norm1.weight, blocks.0.0.attn.qkv.weight,
// blocks.1.0.attn.net.1.weight, blocks.1.0.attn.net.3.conv.weight, blocks.1.0.attn.net.4.running_mean,
// blocks.0.0.mlp.fc1.weight, norm.weight, head.weight): each block sits alone in a one-candidate ModuleList,
// hence the extra ".0".
using FormerSearch.Engine;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Models;

/// <summary>
/// GLiT: DeiT's skeleton (<see cref="ClassTokenVit"/>: a patch-size convolution, a class token, a learned absolute
/// position embedding, a final LayerNorm, a linear classifier on the class token) around pre-norm blocks whose token
/// mixer is a <see cref="GlobalLocalAttention"/> — per layer, some heads global self-attention and the rest local
/// convolution heads — followed by a GELU MLP of per-layer ratio.
/// </summary>
public sealed partial class Glit : VisionModel<GlitConfig>
{
    /// <summary>Builds <paramref name="config"/> for <paramref name="options"/> with fresh weights, initialised as the official code: trunc_normal(0.02) for linear weights, the class token and the position embedding, zero linear biases, LayerNorm 1/0, PyTorch's defaults for the convolutions and BatchNorms.</summary>
    /// <exception cref="UserInputException">The configuration or options are invalid, or the image is not a whole number of patches.</exception>
    public Glit(GlitConfig config, ModelOptions options) : base(config, options)
    {
        Skeleton = Backbone = new ClassTokenVit(this, SkeletonOf(config), options, Generator, (i, dropPath) =>
        {
            var layer = config.Layers[i];
            var mixer = new GlobalLocalAttention(config.EmbedDim, layer.GlobalHeads, layer.LocalHeads, layer.GlobalExpansion, layer.LocalExpansion, layer.Kernel, Generator);
            var settings = MetaFormerBlockSettings.ForVit(config.NormEps, layer.MlpRatio, options.DropRate);
            return new GlitCandidateList(new MetaFormerBlock(config.EmbedDim, mixer, settings, dropPath, Generator));
        });
    }

    /// <summary>The skeleton around the blocks (a supernet copies its own into it when it extracts this model).</summary>
    public ClassTokenVit Backbone { get; }

    /// <summary>The official names (<c>cls_token</c>, <c>pos_embed</c>, <c>patch_embed</c>, <c>blocks</c>, <c>norm</c>, head on the class token) of a skeleton for <paramref name="config"/>'s sizes; the supernet's is the same.</summary>
    public static ClassTokenVitSpec SkeletonOf(GlitConfig config) =>
        ClassTokenVitSpec.ForGlit(config.EmbedDim, config.PatchSize, config.Depth, config.NormEps);
}
