// The GLiT supernet. The paper (Chen et al., ICCV 2021, Sec. 3.3) trains it with SPOS; the official repository has no
// supernet code, so the weight sharing here follows DESIGN.md: head splits are separate weights per alternative, widths
// (Q-K-V, local expansion, FFN) are leading slices and kernels centre crops of the largest weights.
using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;
using FormerSearch.Spaces;

namespace FormerSearch.Supernets.Glit;

/// <summary>
/// Every subnet of a <see cref="GlitSpace"/> in one network: the zoo <see cref="Models.Glit"/>'s stem and head
/// (<c>cls_token</c>, <c>pos_embed</c>, <c>patch_embed</c>, <c>norm</c>, <c>head</c>, shared by all), and per block
/// shared norms and MLP around one mixer per head split (<c>blocks.{i}.attn.g{g}l{l}.qkv</c>, <c>….net.1</c>, …).
/// A forward through the active subnet costs what the extracted <see cref="Models.Glit"/> costs, plus splitting its
/// fused q-k-v and GLU projections into separate GEMMs; gradients land only in the active slices.
/// </summary>
public sealed class GlitSupernet : Supernet
{
    private readonly GlitSpace _space;
    private readonly Parameter _clsToken;
    private readonly Parameter _posEmbed;
    private readonly PatchEmbed _patchEmbed;
    private readonly Dropout _posDrop;
    private readonly GlitSuperBlock[] _blocks;
    private readonly LayerNorm _norm;
    private Linear _head;

    /// <summary>
    /// The supernet of <paramref name="space"/> for <paramref name="options"/>' input and classes, drawn from
    /// <paramref name="options"/>' seed as the zoo model draws its weights; its largest subnet active. Its dropout and
    /// drop-path masks come from the same generator, which is <see cref="VisionModel.Randomness"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid or the image is not a whole number of patches.</exception>
    public GlitSupernet(GlitSpace space, ModelOptions options) : base(space, options)
    {
        var s = space.Settings;
        var (gh, gw) = PatchGrid(s.PatchSize);
        _space = space;
        int d = s.EmbedDim, tokens = gh * gw + 1;
        _clsToken = RegisterParameter("cls_token", new Parameter(1, 1, d) { NoWeightDecay = true });
        _posEmbed = RegisterParameter("pos_embed", new Parameter(1, tokens, d) { NoWeightDecay = true });
        Init.TruncNormal(_posEmbed.Value, Generator, std: 0.02);
        Init.TruncNormal(_clsToken.Value, Generator, std: 0.02);
        _patchEmbed = RegisterModule("patch_embed", new PatchEmbed(options.InChannels, d, s.PatchSize, s.PatchSize, 0, Generator));
        _posDrop = RegisterModule("pos_drop", new Dropout(options.DropRate, Generator));
        var blocks = new ModuleList<GlitSuperBlock>();
        _blocks = new GlitSuperBlock[s.Depth];
        for (int i = 0; i < s.Depth; i++)
        {
            float dropPath = s.Depth > 1 ? options.DropPathRate * i / (s.Depth - 1) : 0f;
            _blocks[i] = new GlitSuperBlock(s, options.DropRate, dropPath, Generator);
            blocks.Add(_blocks[i]);
        }
        RegisterModule("blocks", blocks);
        _norm = RegisterModule("norm", new LayerNorm(d, s.NormEps));
        _head = RegisterModule("head", NewHead(options.NumClasses));
        Activate(space.Largest());
    }

    /// <inheritdoc/>
    public override int NumClasses => _head.OutFeatures;

    /// <summary>Images <c>[B, H, W, C]</c> → normalised tokens <c>[B, 1 + N, D]</c> through the active subnet.</summary>
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

    /// <inheritdoc/>
    protected override void OnActivate(Architecture architecture)
    {
        var config = _space.ToConfig(architecture);
        for (int i = 0; i < _blocks.Length; i++) _blocks[i].Activate(config.Layers[i]);
    }

    /// <summary>The zoo <see cref="Models.Glit"/> of <paramref name="architecture"/> (same input, classes, dropout and drop-path rates and seed).</summary>
    protected override VisionModel CreateStandalone(Architecture architecture, ModelOptions options) =>
        new Models.Glit(_space.ToConfig(architecture), options);

    private Linear NewHead(int numClasses)
    {
        if (numClasses < 1) throw new ArgumentException($"The number of classes must be at least 1; got {numClasses}.");
        var head = new Linear(_space.Settings.EmbedDim, numClasses, Generator);
        FormerSearch.Models.Blocks.Layers.TruncNormalInit(head, Generator);
        return head;
    }
}
