using FormerSearch.Engine;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Nn;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;
using FormerSearch.Spaces;
using FormerSearch.Supernets.Layers;
using FormerSearch.Training;

namespace FormerSearch.Supernets.Burger;

/// <summary>
/// The BurgerFormer supernet: the ViT-NAS stem, per stage the largest number of <see cref="BurgerSuperBlock"/>s at the
/// largest width and ratio, the downsampling convolutions, the final GroupNorm and the head. Depths, widths and ratios
/// are entangled (the active subnet runs on leading slices — views — of the largest weights, and its first
/// <c>depth</c> blocks); op, norm and norm-position alternatives have their own weights per sub-block position, as in
/// the official <c>search_block.py</c>. Unlike the official supernet, which multiplies full-width tensors by channel
/// masks (so its GroupNorm/LayerNorm statistics include the masked zeros and attention heads keep the largest
/// width's split), the active subnet here computes exactly what its standalone model computes and costs what it costs.
/// </summary>
public sealed class BurgerSupernet : Supernet, ISharedStem
{
    private readonly BurgerSpace _space;
    private readonly VitNasStem _stem;
    private readonly SlicedConv2d _stemProjection;
    private readonly SlicedBlocks<BurgerSuperBlock>[] _stages;
    private readonly SlicedPatchEmbed[] _downsample;
    private readonly SlicedGroupNorm _norm;
    private SlicedLinear _head;
    private int _width;

    /// <summary>The supernet of <paramref name="space"/> for <paramref name="options"/>' input and classes, with fresh weights (the official init).</summary>
    /// <exception cref="UserInputException">The options are invalid or the image is too small.</exception>
    public BurgerSupernet(BurgerSpace space, ModelOptions options) : base(space, options)
    {
        _space = space;
        var largest = space.ToConfig(space.Largest());
        var sizes = largest.StageSizes(options.ImageHeight, options.ImageWidth);
        var settings = space.Settings;

        // The stem's three 24-channel convolutions are fixed; only its projection's output width is searched.
        SlicedConv2d? projection = null;
        _stem = RegisterModule("patch_embed", new VitNasStem(options.InChannels, largest.StemChannels, Generator,
            mid => projection = new SlicedConv2d(mid, settings.Widths[0][^1], 3, largest.ProjectionStride, 1, Generator)));
        _stemProjection = projection!;
        StemCache = new FixedStemCache(_stem);
        var network = new ModuleList<Module>();
        _stages = new SlicedBlocks<BurgerSuperBlock>[4];
        _downsample = new SlicedPatchEmbed[3];
        for (int s = 0; s < 4; s++)
        {
            int maxDepth = settings.Depths[s][^1], maxWidth = settings.Widths[s][^1], maxRatio = settings.Ratios[s][^1];
            var outer = space.Ops(s, 0);
            var middle = space.Ops(s, 1);
            var blocks = new BurgerSuperBlock[maxDepth];
            for (int j = 0; j < maxDepth; j++)
                blocks[j] = new BurgerSuperBlock(maxWidth, maxRatio, outer, middle, largest.AttentionHeads[s], sizes[s].H, sizes[s].W, largest.LayerScaleInit, Generator);
            _stages[s] = new SlicedBlocks<BurgerSuperBlock>(blocks);
            network.Add(_stages[s]);
            if (s < 3)
            {
                _downsample[s] = new SlicedPatchEmbed(maxWidth, settings.Widths[s + 1][^1], 3, 2, 1, Generator, groupNorm: true);
                network.Add(_downsample[s]);
            }
        }
        RegisterModule("network", network);
        _norm = RegisterModule("norm", new SlicedGroupNorm(settings.Widths[3][^1]));
        _head = RegisterModule("head", NewHead(options.NumClasses));
        Activate(space.Largest());
    }

    /// <inheritdoc/>
    public override int NumClasses => _head.MaxOut;

    /// <summary>Images <c>[B, H, W, C]</c> → the active subnet's normalised last-stage map.</summary>
    public override Tensor ForwardFeatures(Tensor images) => FeaturesAfterStem(ForwardStem(images));

    /// <summary>Images <c>[B, H, W, C]</c> → the stem's three fixed convolutions, the same for every subnet: <c>[B, H/2, W/2, 24]</c>.</summary>
    public Tensor ForwardStem(Tensor images)
    {
        CheckImages(images);
        // Subnets scored one after another in eval mode share the stem's map of the same images, and their batch-norm
        // recalibrations the stem's passes over the same batches (a traced forward must run the stem's ops to record them).
        if (Tape.IsEnabled || Engine.Tracing.OpTrace.IsAttached) return _stem.ForwardConvolutions(images);
        if (!Training) return StemCache.Get(images, _stem.ForwardConvolutions);
        return StemCache.Recalibrating ? StemCache.GetCalibrating(images, _stem.ForwardConvolutions) : _stem.ForwardConvolutions(images);
    }

    /// <summary>Eval-mode outputs of the stem kept across subnets (see <see cref="FixedStemCache"/>).</summary>
    internal FixedStemCache StemCache { get; }

    /// <inheritdoc/>
    public Tensor ForwardAfterStem(Tensor stem) => ForwardHead(FeaturesAfterStem(stem));

    private Tensor FeaturesAfterStem(Tensor stem)
    {
        var x = _stem.Project(stem);                                         // [B, H/4, W/4, C0]
        for (int s = 0; s < 4; s++)
        {
            var blocks = _stages[s];
            for (int j = 0; j < blocks.Depth; j++) x = blocks[j].Forward(x);
            if (s < 3) x = _downsample[s].Forward(x);
        }
        return _norm.Forward(x);                                             // [B, h, w, C3]
    }

    /// <summary><c>[B, h, w, C]</c> → mean over positions → head: <c>[B, K]</c>.</summary>
    public override Tensor ForwardHead(Tensor features) => _head.Forward(Functional.GlobalAvgPool(features));

    /// <inheritdoc/>
    public override void ResetClassifier(int numClasses)
    {
        _head = ReplaceModule("head", NewHead(numClasses));
        _head.Activate(_width, numClasses);
    }

    /// <inheritdoc/>
    protected override void OnActivate(Architecture architecture)
    {
        var config = _space.ToConfig(architecture);
        int total = 0, index = 0;
        foreach (var st in config.Stages) total += st.Depth;
        _stemProjection.Activate(_stemProjection.MaxIn, config.Stages[0].Width);
        for (int s = 0; s < 4; s++)
        {
            var st = config.Stages[s];
            _stages[s].Activate(st.Depth);
            for (int j = 0; j < st.Depth; j++, index++)
            {
                // Stochastic depth rises linearly over the active blocks, as in the standalone model.
                float dropPath = StochasticDepth.Rate(Options.DropPathRate, index, total);
                _stages[s][j].Activate(st.Width, st.Ratio, st.Meso, dropPath);
            }
            if (s < 3) _downsample[s].Activate(st.Width, config.Stages[s + 1].Width);
        }
        _width = config.Stages[3].Width;
        _norm.Activate(_width);
        _head.Activate(_width, _head.MaxOut);
    }

    /// <inheritdoc/>
    protected override VisionModel CreateStandalone(Architecture architecture, ModelOptions options) =>
        new BurgerFormer(_space.ToConfig(architecture), options);

    private SlicedLinear NewHead(int numClasses) => SlicedLinear.Classifier(_space.Settings.Widths[3][^1], numClasses, Generator, SlicedInit.TorchDefault);
}
