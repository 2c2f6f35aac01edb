// AutoFormer: the published subnets found by one-shot supernet search.
// Paper: Chen et al., "AutoFormer: Searching Transformers for Visual Recognition", ICCV 2021, https://arxiv.org/abs/2107.00651.
// Reference code: microsoft/Cream, AutoFormer/model/supernet_transformer.py and model/module/*.py, run as its README
// does (--gp --change_qkv --relative_position, qkv bias, absolute position embedding). Parameter names follow its
// state dict (pos_embed, cls_token, patch_embed_super.proj.weight, blocks.0.attn.qkv.weight,
// blocks.0.attn.rel_pos_embed_k.embeddings_table_v, blocks.0.attn_layer_norm.weight, blocks.0.fc1.weight, norm.weight,
// head.weight) with the subnet's sizes: the slices the supernet would activate.
using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Models;

/// <summary>
/// AutoFormer: a patch-size convolution to tokens, a class token, a learned absolute position embedding,
/// pre-norm encoder layers with 64-wide heads and 2-D relative position embeddings (per-layer heads and MLP
/// ratios), a final LayerNorm, and a linear head on the mean of the patch tokens (the class token is left out
/// of the pool, as the official <c>--gp</c> does, but still attends and is attended to).
/// </summary>
public sealed partial class AutoFormer : VisionModel
{
    private readonly Generator _generator;
    private readonly Parameter _posEmbed;
    private readonly Parameter _clsToken;
    private readonly PatchEmbed _patchEmbed;
    private readonly Dropout _posDrop;
    private readonly AutoFormerBlock[] _blocks;
    private readonly LayerNorm _norm;
    private readonly int _gridW;
    private Linear _head;

    /// <summary>Builds <paramref name="config"/> for <paramref name="options"/> with fresh weights, initialised as the official code: trunc_normal(0.02) for linear weights, the tokens, the position and relative position embeddings, zero biases, LayerNorm 1/0, PyTorch's default for the patch convolution.</summary>
    /// <exception cref="ArgumentException">The configuration or options are invalid, or the image is not a whole number of patches.</exception>
    public AutoFormer(AutoFormerConfig config, ModelOptions options) : base(options.Input)
    {
        options.Validate();
        var (gh, gw) = config.Validate(options.ImageHeight, options.ImageWidth);
        Config = config;
        _gridW = gw;
        _generator = new Generator(options.Seed);
        Randomness = _generator;
        int d = config.EmbedDim;
        // Own parameters first, pos_embed before cls_token: the official state dict's order.
        _posEmbed = RegisterParameter("pos_embed", new Parameter(1, gh * gw + 1, d) { NoWeightDecay = true });
        _clsToken = RegisterParameter("cls_token", new Parameter(1, 1, d) { NoWeightDecay = true });
        Init.TruncNormal(_posEmbed.Value, _generator, std: 0.02);
        Init.TruncNormal(_clsToken.Value, _generator, std: 0.02);
        _patchEmbed = RegisterModule("patch_embed_super", new PatchEmbed(options.InChannels, d, config.PatchSize, config.PatchSize, 0, _generator));
        _posDrop = RegisterModule("pos_drop", new Dropout(options.DropRate, _generator));

        var blocks = new ModuleList<AutoFormerBlock>();
        _blocks = new AutoFormerBlock[config.Depth];
        for (int i = 0; i < config.Depth; i++)
        {
            // The official rule spreads the drop-path rate over the supernet's depth; a standalone subnet spreads it over its own.
            float dropPath = config.Depth > 1 ? options.DropPathRate * i / (config.Depth - 1) : 0f;
            _blocks[i] = new AutoFormerBlock(d, config.NumHeads[i], config.HeadDim, config.HiddenDim(i), config.MaxRelativePosition,
                config.QkvBias, config.NormEps, options.DropRate, dropPath, _generator);
            blocks.Add(_blocks[i]);
        }
        RegisterModule("blocks", blocks);
        _norm = RegisterModule("norm", new LayerNorm(d, config.NormEps));
        _head = RegisterModule("head", NewHead(options.NumClasses));
    }

    /// <summary>The architecture.</summary>
    public AutoFormerConfig Config { get; }

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
        foreach (var block in _blocks) x = block.Forward(x, _gridW);
        return _norm.Forward(x);
    }

    /// <summary>The mean of the patch tokens of <c>[B, 1 + N, D]</c> (class token excluded) through the head: <c>[B, K]</c>.</summary>
    public override Tensor ForwardHead(Tensor features)
    {
        var patchTokens = features.Narrow(1, 1, features.Size(1) - 1);                     // [B, N, D]
        return _head.Forward(Functional.Mean(patchTokens, [1]));                           // [B, K]
    }

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
