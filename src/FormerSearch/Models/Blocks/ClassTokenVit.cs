using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// The class-token ViT skeleton DeiT, AutoFormer, GLiT and the GLiT supernet share (Dosovitskiy et al., ICLR 2021,
/// https://arxiv.org/abs/2010.11929): a patch-size convolution to tokens, a class token in front, a learned absolute
/// position embedding and its dropout, the family's blocks, a final LayerNorm and a linear head on the class token
/// (or on the mean of the patch tokens). It is not a child module: it registers its parts on the model that owns it,
/// at the top level where the official checkpoints keep them, under the names and in the order
/// <see cref="ClassTokenVitSpec"/> gives.
/// </summary>
public sealed class ClassTokenVit : IModelSkeleton
{
    private readonly VisionModel _owner;
    private readonly ClassTokenVitSpec _spec;
    private readonly Generator _generator;
    private readonly Parameter _clsToken;
    private readonly Parameter _posEmbed;
    private readonly PatchEmbed _patchEmbed;
    private readonly Dropout _posDrop;
    private readonly Layer[] _blocks;
    private readonly LayerNorm _norm;
    private Linear _head;

    /// <summary>
    /// Builds the skeleton of <paramref name="spec"/> on <paramref name="owner"/> for <paramref name="options"/>' input,
    /// classes and dropout, drawing from <paramref name="generator"/> in construction order: the two tokens
    /// (trunc_normal(0.02)), the patch convolution (PyTorch's default), then <paramref name="block"/>(i, drop-path rate of
    /// block i) for each block in turn, then the head (see <see cref="ClassifierHead"/>). The final LayerNorm starts at 1/0.
    /// </summary>
    /// <param name="owner">The model whose parameters these are; call from its constructor before it registers anything else.</param>
    /// <param name="spec">Sizes, names and orders.</param>
    /// <param name="options">Input, classes, dropout and stochastic-depth rates.</param>
    /// <param name="generator">Draws the weights and, later, the dropout masks.</param>
    /// <param name="block">Builds block i with the given drop-path rate (<see cref="StochasticDepth"/>); its state-dict name is <c>blocks.{i}</c>.</param>
    /// <exception cref="UserInputException">The image is not a whole number of patches, or the class count is below 1.</exception>
    public ClassTokenVit(VisionModel owner, ClassTokenVitSpec spec, ModelOptions options, Generator generator, Func<int, float, Layer> block)
    {
        var (gh, gw) = spec.PatchGrid(options.ImageHeight, options.ImageWidth);
        _owner = owner;
        _spec = spec;
        _generator = generator;
        int d = spec.EmbedDim;
        _clsToken = new Parameter(1, 1, d) { NoWeightDecay = true };
        _posEmbed = new Parameter(1, gh * gw + 1, d) { NoWeightDecay = true };
        // The model's own parameters come first in its state dict, before any child.
        if (!spec.PosEmbedListedFirst) owner.RegisterPart("cls_token", _clsToken);
        owner.RegisterPart("pos_embed", _posEmbed);
        if (spec.PosEmbedListedFirst) owner.RegisterPart("cls_token", _clsToken);
        if (!spec.PosEmbedDrawnFirst) Init.TruncNormal(_clsToken.Value, generator, std: 0.02);
        Init.TruncNormal(_posEmbed.Value, generator, std: 0.02);
        if (spec.PosEmbedDrawnFirst) Init.TruncNormal(_clsToken.Value, generator, std: 0.02);
        _patchEmbed = owner.RegisterPart(spec.PatchEmbedName, new PatchEmbed(options.InChannels, d, spec.PatchSize, spec.PatchSize, 0, generator));
        _posDrop = owner.RegisterPart("pos_drop", new Dropout(options.DropRate, generator));

        var blocks = new ModuleList<Layer>();
        _blocks = new Layer[spec.Depth];
        for (int i = 0; i < _blocks.Length; i++)
        {
            _blocks[i] = block(i, StochasticDepth.Rate(options.DropPathRate, i, spec.Depth));
            blocks.Add(_blocks[i]);
        }
        owner.RegisterPart("blocks", blocks);
        _norm = owner.RegisterPart("norm", new LayerNorm(d, spec.NormEps));
        _head = owner.RegisterPart("head", ClassifierHead.Create(d, options.NumClasses, generator));
    }

    /// <inheritdoc/>
    public int NumClasses => _head.OutFeatures;

    /// <summary>Images <c>[B, H, W, C]</c> → normalised tokens <c>[B, 1 + N, D]</c>, the class token first.</summary>
    public Tensor ForwardFeatures(Tensor images)
    {
        var patches = _patchEmbed.Forward(images);                                          // [B, H/p, W/p, D]
        int b = patches.Size(0), n = patches.Size(1) * patches.Size(2), d = patches.Size(3);
        var x = Functional.TokenConcat(_clsToken.Value, patches.Reshape(b, n, d));        // [B, 1 + N, D]
        x = _posDrop.Forward(Functional.Add(x, _posEmbed.Value));
        foreach (var block in _blocks) x = block.Forward(x);
        return _norm.Forward(x);
    }

    /// <summary>The class token of <c>[B, 1 + N, D]</c>, or the mean of its patch tokens, through the head: <c>[B, K]</c>.</summary>
    public Tensor ForwardHead(Tensor features)
    {
        if (!_spec.PoolPatchTokens) return _head.Forward(features.Select(1, 0));
        var patchTokens = features.Narrow(1, 1, features.Size(1) - 1);                     // [B, N, D]
        return _head.Forward(Functional.Mean(patchTokens, [1]));                           // [B, K]
    }

    /// <summary>Replaces the head by a fresh one (<see cref="ClassifierHead.Create"/>) with <paramref name="numClasses"/> outputs, in the old one's place.</summary>
    /// <exception cref="UserInputException"><paramref name="numClasses"/> is below 1.</exception>
    public void ResetClassifier(int numClasses) => _head = _owner.ReplacePart("head", ClassifierHead.Create(_spec.EmbedDim, numClasses, _generator));

    /// <summary>
    /// Copies the tokens, the patch embedding, the final norm and the head into <paramref name="target"/>, a skeleton of
    /// the same sizes: what a supernet hands the subnet it extracts (the blocks are the supernet's to copy).
    /// </summary>
    /// <exception cref="ArgumentException">The sizes differ.</exception>
    public void CopyTo(ClassTokenVit target)
    {
        target._clsToken.Value.CopyFrom(_clsToken.Value);
        target._posEmbed.Value.CopyFrom(_posEmbed.Value);
        target._patchEmbed.LoadStateDict(_patchEmbed.StateDict());
        target._norm.LoadStateDict(_norm.StateDict());
        target._head.LoadStateDict(_head.StateDict());
    }
}
