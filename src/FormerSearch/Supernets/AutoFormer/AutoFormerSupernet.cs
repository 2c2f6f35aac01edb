// AutoFormer's weight-entangled supernet (Chen et al., ICCV 2021, https://arxiv.org/abs/2107.00651), after the
// official Vision_TransformerSuper (microsoft/Cream, AutoFormer/model/supernet_transformer.py and model/module/*.py)
// as its README runs it (--gp --change_qkv --relative_position, qkv bias, absolute position embedding). Parameter
// names and shapes are the official supernet's state dict: pos_embed, cls_token, patch_embed_super.proj.*,
// blocks.{i}.attn.qkv.*, blocks.{i}.attn.rel_pos_embed_{k,v}.embeddings_table_{v,h}, blocks.{i}.attn.proj.*,
// blocks.{i}.{attn,ffn}_layer_norm.*, blocks.{i}.fc{1,2}.*, norm.*, head.*.
using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;
using FormerSearch.Spaces;
using FormerSearch.Supernets.Layers;

namespace FormerSearch.Supernets.AutoFormer;

/// <summary>
/// The supernet of an <see cref="AutoFormerSpace"/>: the largest weights (width <c>SuperEmbedDim</c>, q/k/v width
/// <c>SuperEmbedDim</c>, MLP width <c>⌊SuperEmbedDim·SuperMlpRatio⌋</c>, <c>SuperDepth</c> layers), of which the
/// active subnet uses the leading slices exactly as the official <c>set_sample_config</c> selects them: the first
/// <c>embed_dim</c> channels of the patch embedding, class token, position embedding, LayerNorms and head inputs;
/// per layer the first <c>heads·headDim</c> q, k and v channels (interleaved rows, see <see cref="PartLayout.Interleaved"/>), the
/// first <c>⌊embed_dim·ratio⌋</c> MLP units, and the first <c>depth</c> layers (the rest are skipped). Dropout rates
/// scale with the active width and stochastic depth is spread over the supernet's depth, as in the official code.
/// </summary>
public sealed class AutoFormerSupernet : Supernet, ISlicedLayer
{
    private readonly AutoFormerSpace _space;
    private readonly Parameter _posEmbed;
    private readonly Parameter _clsToken;
    private readonly SlicedPatchEmbed _patchEmbed;
    private readonly SlicedBlocks<AutoFormerSuperBlock> _blocks;
    private readonly SlicedLayerNorm _norm;
    private readonly float[] _dropPath;
    private readonly int _gridW;
    private SlicedLinear _head;

    // The active width, set by OnActivate.
    private int _embed;

    /// <summary>The supernet of <paramref name="space"/> for <paramref name="options"/>' input and classes, initialised as the official code (trunc_normal(0.02) linear weights, tokens and tables; zero biases; LayerNorm 1/0; PyTorch's default for the patch convolution); the largest subnet is active.</summary>
    /// <exception cref="UserInputException">The options are invalid or the image is not a whole number of patches.</exception>
    public AutoFormerSupernet(AutoFormerSpace space, ModelOptions options) : base(space, options)
    {
        var c = space.Settings;
        int d = c.SuperEmbedDim;
        // The zoo AutoFormer's skeleton at the supernet's largest sizes: its patch grid and its official names.
        var skeleton = ClassTokenVitSpec.ForAutoFormer(d, c.PatchSize, c.SuperDepth, normEps: 1e-5f);
        var (gh, gw) = skeleton.PatchGrid(options.ImageHeight, options.ImageWidth);
        _space = space;
        _gridW = gw;
        // Own parameters first, pos_embed before cls_token: the official state dict's order.
        _posEmbed = RegisterParameter("pos_embed", new Parameter(1, gh * gw + 1, d) { NoWeightDecay = true });
        _clsToken = RegisterParameter("cls_token", new Parameter(1, 1, d) { NoWeightDecay = true });
        Init.TruncNormal(_posEmbed.Value, Generator, std: 0.02);
        Init.TruncNormal(_clsToken.Value, Generator, std: 0.02);
        _patchEmbed = RegisterModule(skeleton.PatchEmbedName, new SlicedPatchEmbed(options.InChannels, d, c.PatchSize, c.PatchSize, 0, Generator));

        var blocks = new AutoFormerSuperBlock[c.SuperDepth];
        _dropPath = new float[c.SuperDepth];
        for (int i = 0; i < c.SuperDepth; i++)
        {
            // torch.linspace(0, drop_path_rate, depth) over the supernet's depth, whatever the subnet's.
            _dropPath[i] = StochasticDepth.Rate(options.DropPathRate, i, c.SuperDepth);
            blocks[i] = new AutoFormerSuperBlock(d, d, c.HeadDim, c.SuperHidden, c.MaxRelativePosition, qkvBias: true, normEps: 1e-5f, Generator);
        }
        _blocks = RegisterModule("blocks", new SlicedBlocks<AutoFormerSuperBlock>(blocks));
        _norm = RegisterModule("norm", new SlicedLayerNorm(d));
        _head = RegisterModule("head", NewHead(options.NumClasses));
        Activate(space.Largest());
    }

    /// <inheritdoc/>
    public override int NumClasses => _head.MaxOut;

    /// <summary>Images <c>[B, H, W, C]</c> → normalised tokens <c>[B, 1 + N, embed_dim]</c> of the active subnet, the class token first.</summary>
    public override Tensor ForwardFeatures(Tensor images)
    {
        CheckImages(images);
        int e = _embed;
        bool training = Training;
        float dropout = Options.DropRate * e / _space.Settings.SuperEmbedDim;                     // official calc_dropout
        var patches = _patchEmbed.Forward(images);                                                // [B, H/p, W/p, e]
        int b = patches.Size(0), n = patches.Size(1) * patches.Size(2);
        var x = Functional.TokenConcat(_clsToken.Value.Narrow(2, 0, e), patches.Reshape(b, n, e)); // [B, 1 + N, e]
        x = Functional.Dropout(Functional.Add(x, _posEmbed.Value.Narrow(2, 0, e)), dropout, training, Generator);
        for (int i = 0; i < _blocks.Depth; i++)
            x = _blocks[i].Forward(x, _gridW, Options.DropRate, dropout, _dropPath[i], training, Generator);
        return _norm.Forward(x);
    }

    /// <summary>The mean of the patch tokens (class token excluded, official <c>--gp</c>) through the head's first <c>embed_dim</c> inputs: <c>[B, K]</c>.</summary>
    public override Tensor ForwardHead(Tensor features)
    {
        var patchTokens = features.Narrow(1, 1, features.Size(1) - 1);                          // [B, N, e]
        return _head.Forward(Functional.Mean(patchTokens, [1]));                                 // [B, K]
    }

    /// <inheritdoc/>
    public override void ResetClassifier(int numClasses)
    {
        _head = ReplaceModule("head", NewHead(numClasses));
        _head.Activate(_embed, numClasses);
    }

    /// <summary>The class token and position embedding's first <c>embed_dim</c> channels.</summary>
    public IEnumerable<ActiveTensor> ActiveState()
    {
        yield return new ActiveTensor("pos_embed", _posEmbed.Value.Narrow(2, 0, _embed));
        yield return new ActiveTensor("cls_token", _clsToken.Value.Narrow(2, 0, _embed));
    }

    /// <inheritdoc/>
    protected override void OnActivate(Architecture architecture)
    {
        var config = _space.ToConfig(architecture);
        _embed = config.EmbedDim;
        _patchEmbed.Activate(Options.InChannels, _embed);
        _blocks.Activate(config.Depth);
        for (int i = 0; i < config.Depth; i++) _blocks[i].Activate(_embed, config.NumHeads[i], config.HiddenDim(i));
        _norm.Activate(_embed);
        _head.Activate(_embed, _head.MaxOut);
    }

    /// <inheritdoc/>
    protected override VisionModel CreateStandalone(Architecture architecture, ModelOptions options) =>
        new Models.AutoFormer(_space.ToConfig(architecture), options);

    private SlicedLinear NewHead(int numClasses) => SlicedLinear.Classifier(_space.Settings.SuperEmbedDim, numClasses, Generator, SlicedInit.TruncNormal);
}
