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
using FormerSearch.Engine.Nn;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Models;

/// <summary>
/// GLiT: DeiT's stem (a patch-size convolution, a class token, a learned absolute position embedding) and head
/// (final LayerNorm, linear classifier on the class token) around pre-norm blocks whose token mixer is a
/// <see cref="GlobalLocalAttention"/> — per layer, some heads global self-attention and the rest local
/// convolution heads — followed by a GELU MLP of per-layer ratio.
/// </summary>
public sealed partial class Glit : VisionModel
{
    private readonly Generator _generator;
    private readonly Parameter _clsToken;
    private readonly Parameter _posEmbed;
    private readonly PatchEmbed _patchEmbed;
    private readonly Dropout _posDrop;
    private readonly MetaFormerBlock[] _blocks;
    private readonly LayerNorm _norm;
    private Linear _head;

    /// <summary>Builds <paramref name="config"/> for <paramref name="options"/> with fresh weights, initialised as the official code: trunc_normal(0.02) for linear weights, the class token and the position embedding, zero linear biases, LayerNorm 1/0, PyTorch's defaults for the convolutions and BatchNorms.</summary>
    /// <exception cref="ArgumentException">The configuration or options are invalid, or the image is not a whole number of patches.</exception>
    public Glit(GlitConfig config, ModelOptions options) : base(options.Input)
    {
        options.Validate();
        var (gh, gw) = config.Validate(options.ImageHeight, options.ImageWidth);
        Config = config;
        _generator = new Generator(options.Seed);
        Randomness = _generator;
        int d = config.EmbedDim;
        // Own parameters first, cls_token before pos_embed: the official state dict's order.
        _clsToken = RegisterParameter("cls_token", new Parameter(1, 1, d) { NoWeightDecay = true });
        _posEmbed = RegisterParameter("pos_embed", new Parameter(1, gh * gw + 1, d) { NoWeightDecay = true });
        Init.TruncNormal(_posEmbed.Value, _generator, std: 0.02);
        Init.TruncNormal(_clsToken.Value, _generator, std: 0.02);
        _patchEmbed = RegisterModule("patch_embed", new PatchEmbed(options.InChannels, d, config.PatchSize, config.PatchSize, 0, _generator));
        _posDrop = RegisterModule("pos_drop", new Dropout(options.DropRate, _generator));

        var blocks = new ModuleList<ModuleList<MetaFormerBlock>>();
        _blocks = new MetaFormerBlock[config.Depth];
        for (int i = 0; i < config.Depth; i++)
        {
            var layer = config.Layers[i];
            float dropPath = config.Depth > 1 ? options.DropPathRate * i / (config.Depth - 1) : 0f;
            var settings = new MetaFormerBlockSettings
            {
                Norm = NormKind.LayerNorm,
                NormEps = config.NormEps,
                MlpRatio = layer.MlpRatio,
                MlpAsConv1x1 = false,
                UseLayerScale = false,
                DropRate = options.DropRate,
                MixerName = "attn",
            };
            var mixer = new GlobalLocalAttention(d, layer.GlobalHeads, layer.LocalHeads, layer.GlobalExpansion, layer.LocalExpansion, layer.Kernel, _generator);
            _blocks[i] = new MetaFormerBlock(d, mixer, settings, dropPath, _generator);
            // The official supernet leftover: each layer is a ModuleList holding its one chosen candidate.
            blocks.Add(new ModuleList<MetaFormerBlock>([_blocks[i]]));
        }
        RegisterModule("blocks", blocks);
        _norm = RegisterModule("norm", new LayerNorm(d, config.NormEps));
        _head = RegisterModule("head", NewHead(options.NumClasses));
    }

    /// <summary>The architecture.</summary>
    public GlitConfig Config { get; }

    /// <inheritdoc/>
    public override int NumClasses => _head.OutFeatures;

    /// <summary>Images <c>[B, H, W, C]</c> → normalised tokens <c>[B, 1 + N, D]</c>, the class token first.</summary>
    public override Tensor ForwardFeatures(Tensor images)
    {
        CheckImages(images);
        var patches = _patchEmbed.Forward(images);                                          // [B, H/p, W/p, D]
        int b = patches.Size(0), n = patches.Size(1) * patches.Size(2), d = patches.Size(3);
        var x = Functional.TokenConcat(_clsToken.Value, patches.Reshape(b, n, d));        // [B, 1 + N, D]
        x = _posDrop.Forward(Functional.Add(x, _posEmbed.Value));
        foreach (var block in _blocks) x = block.Forward(x);
        return _norm.Forward(x);
    }

    /// <summary>The class token of <c>[B, 1 + N, D]</c> through the head: <c>[B, K]</c>.</summary>
    public override Tensor ForwardHead(Tensor features) => _head.Forward(features.Select(1, 0));

    /// <inheritdoc/>
    public override void ResetClassifier(int numClasses) => _head = ReplaceModule("head", NewHead(numClasses));

    private Linear NewHead(int numClasses)
    {
        if (numClasses < 1) throw new ArgumentException($"The number of classes must be at least 1; got {numClasses}.");
        var head = new Linear(Config.EmbedDim, numClasses, _generator);
        Layers.TruncNormalInit(head, _generator);
        return head;
    }
}
