// Vision Transformer with DeiT's settings.
// Papers: Dosovitskiy et al., "An Image is Worth 16x16 Words", ICLR 2021, https://arxiv.org/abs/2010.11929;
// Touvron et al., "Training data-efficient image transformers & distillation through attention" (DeiT),
// ICML 2021, https://arxiv.org/abs/2012.12877.
// Reference code: timm's VisionTransformer (vision_transformer.py), which DeiT's official repository
// uses; parameter names follow it (cls_token, pos_embed, patch_embed.proj.weight, blocks.0.attn.qkv.weight,
// blocks.0.mlp.fc1.weight, norm.weight, head.weight) so timm/DeiT checkpoints load.
using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Models;

/// <summary>
/// ViT: a patch-size convolution to tokens, a class token, a learned absolute position embedding, pre-norm
/// transformer blocks (a <see cref="MetaFormerBlock"/> with attention, LayerNorm and no layer scale), a final
/// LayerNorm and a linear head on the class token.
/// </summary>
public sealed partial class Vit : VisionModel
{
    private readonly Generator _generator;
    private readonly Parameter _clsToken;
    private readonly Parameter _posEmbed;
    private readonly PatchEmbed _patchEmbed;
    private readonly Dropout _posDrop;
    private readonly MetaFormerBlock[] _blocks;
    private readonly LayerNorm _norm;
    private Linear _head;

    /// <summary>Builds <paramref name="config"/> for <paramref name="options"/> with fresh weights, initialised as timm: trunc_normal(0.02) for linear weights, the class token and the position embedding, zero biases, LayerNorm 1/0, PyTorch's default for the patch convolution.</summary>
    /// <exception cref="ArgumentException">The configuration or options are invalid, or the image is not a whole number of patches.</exception>
    public Vit(VitConfig config, ModelOptions options) : base(options.Input)
    {
        options.Validate();
        var (gh, gw) = config.Validate(options.ImageHeight, options.ImageWidth);
        Config = config;
        _generator = new Generator(options.Seed);
        Randomness = _generator;
        int d = config.EmbedDim;
        // Own parameters first: timm's state dict lists cls_token and pos_embed before the children.
        _clsToken = RegisterParameter("cls_token", new Parameter(1, 1, d) { NoWeightDecay = true });
        _posEmbed = RegisterParameter("pos_embed", new Parameter(1, gh * gw + 1, d) { NoWeightDecay = true });
        Init.TruncNormal(_clsToken.Value, _generator, std: 0.02);
        Init.TruncNormal(_posEmbed.Value, _generator, std: 0.02);
        _patchEmbed = RegisterModule("patch_embed", new PatchEmbed(options.InChannels, d, config.PatchSize, config.PatchSize, 0, _generator));
        _posDrop = RegisterModule("pos_drop", new Dropout(options.DropRate, _generator));

        var settings = new MetaFormerBlockSettings
        {
            Norm = NormKind.LayerNorm,
            NormEps = config.NormEps,
            MlpRatio = config.MlpRatio,
            MlpAsConv1x1 = false,
            UseLayerScale = false,
            DropRate = options.DropRate,
            MixerName = "attn",
        };
        var blocks = new ModuleList<MetaFormerBlock>();
        _blocks = new MetaFormerBlock[config.Depth];
        for (int i = 0; i < config.Depth; i++)
        {
            float dropPath = config.Depth > 1 ? options.DropPathRate * i / (config.Depth - 1) : 0f;
            var attention = new Attention(d, config.NumHeads, _generator, qkvBias: config.QkvBias, attnDrop: 0f, projDrop: options.DropRate);
            foreach (var (_, child) in attention.NamedChildren()) Layers.TruncNormalInit(child, _generator);
            _blocks[i] = new MetaFormerBlock(d, attention, settings, dropPath, _generator);
            blocks.Add(_blocks[i]);
        }
        RegisterModule("blocks", blocks);
        _norm = RegisterModule("norm", new LayerNorm(d, config.NormEps));
        _head = RegisterModule("head", NewHead(options.NumClasses));
    }

    /// <summary>The architecture.</summary>
    public VitConfig Config { get; }

    /// <inheritdoc/>
    public override int NumClasses => _head.OutFeatures;

    /// <summary>Images <c>[B, H, W, C]</c> → normalised tokens <c>[B, 1 + N, D]</c>, the class token first.</summary>
    public override Tensor ForwardFeatures(Tensor images)
    {
        CheckImages(images);
        var patches = _patchEmbed.Forward(images);                                          // [B, H/16, W/16, D]
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
