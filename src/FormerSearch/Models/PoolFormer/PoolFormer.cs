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
/// PoolFormer / MetaFormer: a stem patch embedding, four stages of <see cref="MetaFormerBlock"/>s separated
/// by downsampling patch embeddings (optionally a position embedding before a stage), a final norm, global
/// average pooling and a linear head. Channels-last throughout: <c>[B, H, W, C]</c>.
/// </summary>
public sealed partial class PoolFormer : VisionModel
{
    private readonly Generator _generator;
    private readonly PatchEmbed _patchEmbed;
    private readonly ILayer[] _network;
    private readonly ILayer _norm;
    private Linear _head;

    /// <summary>Builds <paramref name="config"/> for <paramref name="options"/> with fresh weights (as the official init: trunc_normal(0.02) linear and MLP weights, zero biases, PyTorch's default for the patch embeddings).</summary>
    /// <exception cref="ArgumentException">The configuration or options are invalid, or the image is too small.</exception>
    public PoolFormer(PoolFormerConfig config, ModelOptions options) : base(options.Input)
    {
        config.Validate();
        options.Validate();
        Config = config;
        _generator = new Generator(options.Seed);
        Randomness = _generator;
        var sizes = config.StageSizes(options.ImageHeight, options.ImageWidth);
        var widths = config.Widths;
        var settings = config.BlockSettings(options.DropRate);

        _patchEmbed = RegisterModule("patch_embed", new PatchEmbed(options.InChannels, widths[0], config.Stem.Kernel, config.Stem.Stride, config.Stem.Padding, _generator));
        var network = new ModuleList<Module>();
        int totalBlocks = 0, blockIndex = 0;
        foreach (int d in config.Depths) totalBlocks += d;
        for (int i = 0; i < widths.Count; i++)
        {
            var (h, w) = sizes[i];
            if (config.HasPositionEmbedding(i)) network.Add(new AddPositionEmbedding(widths[i], h, w));
            var stage = new Sequential();
            for (int j = 0; j < config.Depths[i]; j++, blockIndex++)
            {
                // Stochastic depth rises linearly from 0 at the first block to the rate at the last.
                float dropPath = totalBlocks > 1 ? options.DropPathRate * blockIndex / (totalBlocks - 1) : 0f;
                stage.Add(new MetaFormerBlock(widths[i], Mixer(config, i, h, w), settings, dropPath, _generator));
            }
            network.Add(stage);
            if (i + 1 < widths.Count)
                network.Add(new PatchEmbed(widths[i], widths[i + 1], config.Downsample.Kernel, config.Downsample.Stride, config.Downsample.Padding, _generator));
        }
        RegisterModule("network", network);
        _network = new ILayer[network.Count];
        for (int i = 0; i < network.Count; i++) _network[i] = (ILayer)network[i];
        _norm = (ILayer)RegisterModule("norm", Layers.Norm(config.Norm, widths[^1]));
        _head = RegisterModule("head", NewHead(widths[^1], options.NumClasses));
    }

    /// <summary>The architecture.</summary>
    public PoolFormerConfig Config { get; }

    /// <inheritdoc/>
    public override int NumClasses => _head.OutFeatures;

    /// <summary>Images <c>[B, H, W, C]</c> → normalised last-stage map <c>[B, H/32, W/32, C']</c>.</summary>
    public override Tensor ForwardFeatures(Tensor images)
    {
        CheckImages(images);
        var x = _patchEmbed.Forward(images);                 // [B, H/4, W/4, C0]
        foreach (var layer in _network) x = layer.Forward(x);
        return _norm.Forward(x);                             // [B, H/32, W/32, C3]
    }

    /// <summary><c>[B, h, w, C]</c> → mean over positions → head: <c>[B, K]</c>.</summary>
    public override Tensor ForwardHead(Tensor features) => _head.Forward(Functional.GlobalAvgPool(features));

    /// <inheritdoc/>
    public override void ResetClassifier(int numClasses) => _head = ReplaceModule("head", NewHead(Config.Widths[^1], numClasses));

    private Linear NewHead(int width, int numClasses)
    {
        if (numClasses < 1) throw new ArgumentException($"The number of classes must be at least 1; got {numClasses}.");
        var head = new Linear(width, numClasses, _generator);
        Layers.TruncNormalInit(head, _generator);
        return head;
    }

    private Module Mixer(PoolFormerConfig config, int stage, int h, int w)
    {
        switch (config.MixerOf(stage))
        {
            case TokenMixerKind.Pooling:
                return new Pooling(config.PoolSize);
            case TokenMixerKind.Attention:
                var attention = new Attention(config.Widths[stage], config.Widths[stage] / config.AttentionHeadDim, _generator);
                foreach (var (_, child) in attention.NamedChildren()) Layers.TruncNormalInit(child, _generator);
                return attention;
            case TokenMixerKind.SpatialFc:
                var fc = new SpatialFc(h, w, _generator);
                foreach (var (_, child) in fc.NamedChildren()) Layers.TruncNormalInit(child, _generator);
                return fc;
            default:
                return new Identity();
        }
    }
}
