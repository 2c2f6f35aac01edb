using FormerSearch.Engine;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Nn;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;
using FormerSearch.Spaces;

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
public sealed class BurgerSupernet : Supernet
{
    private readonly BurgerSpace _space;
    private readonly ModelOptions _options;
    private readonly Generator _generator;
    private readonly VitNasStem _stem;
    private readonly ConvBnAct _stem1, _stem2, _stem3;
    private readonly Conv2d _stemProj;
    private readonly ModuleList<BurgerSuperBlock>[] _stages;
    private readonly Conv2d[] _downConv;
    private readonly GroupNorm[] _downNorm;
    private readonly GroupNorm _norm;
    private Linear _head;
    private BurgerFormerConfig _active = null!;

    /// <summary>The supernet of <paramref name="space"/> for <paramref name="options"/>' input and classes, with fresh weights (the official init).</summary>
    /// <exception cref="ArgumentException">The options are invalid or the image is too small.</exception>
    public BurgerSupernet(BurgerSpace space, ModelOptions options) : base(space, options.Input)
    {
        options.Validate();
        _space = space;
        _options = options;
        _generator = new Generator(options.Seed);
        Randomness = _generator;
        var largest = space.ToConfig(space.Largest());
        var sizes = largest.StageSizes(options.ImageHeight, options.ImageWidth);
        var settings = space.Settings;

        // The stem's three 24-channel convolutions are fixed; only its projection's output width is searched.
        _stem = RegisterModule("patch_embed", new VitNasStem(options.InChannels, largest.StemChannels, largest.Stages[0].Width, _generator));
        (_stem1, _stem2, _stem3) = ((ConvBnAct)Child(_stem, "conv1"), (ConvBnAct)Child(_stem, "conv2"), (ConvBnAct)Child(_stem, "conv3"));
        _stemProj = (Conv2d)Child(_stem, "conv_proj");
        var network = new ModuleList<Module>();
        _stages = new ModuleList<BurgerSuperBlock>[4];
        _downConv = new Conv2d[3];
        _downNorm = new GroupNorm[3];
        for (int s = 0; s < 4; s++)
        {
            int maxDepth = settings.Depths[s][^1], maxWidth = settings.Widths[s][^1], maxRatio = settings.Ratios[s][^1];
            var outer = space.Choices.First(c => c.Name == BurgerSpace.SubName(s, 0, "op")).Values;
            var middle = space.Choices.First(c => c.Name == BurgerSpace.SubName(s, 1, "op")).Values;
            var stage = new ModuleList<BurgerSuperBlock>();
            for (int j = 0; j < maxDepth; j++)
                stage.Add(new BurgerSuperBlock(maxWidth, maxRatio, outer, middle, largest.AttentionHeads[s], sizes[s].H, sizes[s].W, largest.LayerScaleInit, _generator));
            network.Add(stage);
            _stages[s] = stage;
            if (s < 3)
            {
                var down = new PatchEmbed(maxWidth, settings.Widths[s + 1][^1], 3, 2, 1, _generator, NormKind.GroupNorm);
                network.Add(down);
                _downConv[s] = (Conv2d)Child(down, "proj");
                _downNorm[s] = (GroupNorm)Child(down, "norm");
            }
        }
        RegisterModule("network", network);
        _norm = RegisterModule("norm", new GroupNorm(1, settings.Widths[3][^1]));
        _head = RegisterModule("head", NewHead(options.NumClasses));
        Activate(space.Largest());
    }

    /// <inheritdoc/>
    public override int NumClasses => _head.OutFeatures;

    /// <summary>Images <c>[B, H, W, C]</c> → the active subnet's normalised last-stage map.</summary>
    public override Tensor ForwardFeatures(Tensor images)
    {
        CheckImages(images);
        var stages = _active.Stages;
        var x = _stem1.Forward(images);                                      // [B, H/2, W/2, 24]
        x = Functional.Add(_stem3.Forward(_stem2.Forward(x)), x);
        int c0 = stages[0].Width;
        x = Functional.Conv2d(x, _stemProj.Weight.Value.Narrow(0, 0, c0), _stemProj.Bias!.Value.Narrow(0, 0, c0), 2, 1);   // [B, H/4, W/4, C0]
        for (int s = 0; s < 4; s++)
        {
            var blocks = _stages[s];
            for (int j = 0; j < stages[s].Depth; j++) x = blocks[j].Forward(x);
            if (s < 3)
            {
                int next = stages[s + 1].Width, c = stages[s].Width;
                // A [out, 3, 3, in] slice narrowed in both channel counts is not a GEMM operand; the conv copies it (9·in·out floats).
                var w = _downConv[s].Weight.Value.Narrow(0, 0, next).Narrow(3, 0, c);
                x = Functional.Conv2d(x, w, _downConv[s].Bias!.Value.Narrow(0, 0, next), 2, 1);
                x = SlicedGroupNorm(_downNorm[s], x);
            }
        }
        return SlicedGroupNorm(_norm, x);                                    // [B, h, w, C3]
    }

    /// <summary><c>[B, h, w, C]</c> → mean over positions → head: <c>[B, K]</c>.</summary>
    public override Tensor ForwardHead(Tensor features)
    {
        int c = features.Size(-1);
        return Functional.Linear(Functional.GlobalAvgPool(features), _head.Weight.Value.Block(_head.OutFeatures, c), _head.Bias!.Value);
    }

    /// <inheritdoc/>
    public override void ResetClassifier(int numClasses) => _head = ReplaceModule("head", NewHead(numClasses));

    /// <inheritdoc/>
    protected override void OnActivate(Architecture architecture)
    {
        var config = _space.ToConfig(architecture);
        int total = 0, index = 0;
        foreach (var st in config.Stages) total += st.Depth;
        for (int s = 0; s < 4; s++)
        {
            var st = config.Stages[s];
            for (int j = 0; j < st.Depth; j++, index++)
            {
                // Stochastic depth rises linearly over the active blocks, as in the standalone model.
                float dropPath = total > 1 ? _options.DropPathRate * index / (total - 1) : 0f;
                _stages[s][j].Activate(st.Width, st.Ratio, st.Meso, dropPath);
            }
        }
        _active = config;
    }

    /// <inheritdoc/>
    protected override VisionModel OnExtract(Architecture architecture)
    {
        var previous = Active;
        OnActivate(architecture);
        try
        {
            var config = _active;
            var model = new BurgerFormer(config, _options with { NumClasses = NumClasses });
            using (Tape.NoGrad())
            {
                var slices = ActiveSlices();
                model.LoadStateDict(slices, strict: true);
            }
            model.Train(Training);
            return model;
        }
        finally
        {
            OnActivate(previous);
        }
    }

    /// <summary>
    /// The active subnet's tensors under the standalone <see cref="BurgerFormer"/>'s state-dict names: views of the
    /// supernet's weights and statistics, except <c>qkv.weight</c>, a copy stacking the three Q/K/V blocks — or, with
    /// <paramref name="splitQkv"/>, those three views as <c>qkv.weight#0</c>…<c>#2</c> (to inspect which elements are active).
    /// </summary>
    public Dictionary<string, Tensor> ActiveSlices(bool splitQkv = false)
    {
        var config = _active;
        var slices = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in _stem.StateDict())
            slices["patch_embed." + name] = name.StartsWith("conv_proj.", StringComparison.Ordinal) ? tensor.Narrow(0, 0, config.Stages[0].Width) : tensor;
        for (int s = 0; s < 4; s++)
        {
            var st = config.Stages[s];
            for (int j = 0; j < st.Depth; j++) _stages[s][j].AddSlices($"network.{2 * s}.{j}.", slices, splitQkv);
            if (s < 3)
            {
                int next = config.Stages[s + 1].Width;
                slices[$"network.{2 * s + 1}.proj.weight"] = _downConv[s].Weight.Value.Narrow(0, 0, next).Narrow(3, 0, st.Width);
                slices[$"network.{2 * s + 1}.proj.bias"] = _downConv[s].Bias!.Value.Narrow(0, 0, next);
                slices[$"network.{2 * s + 1}.norm.weight"] = _downNorm[s].Weight.Value.Narrow(0, 0, next);
                slices[$"network.{2 * s + 1}.norm.bias"] = _downNorm[s].Bias.Value.Narrow(0, 0, next);
            }
        }
        int c = config.Stages[3].Width;
        slices["norm.weight"] = _norm.Weight.Value.Narrow(0, 0, c);
        slices["norm.bias"] = _norm.Bias.Value.Narrow(0, 0, c);
        slices["head.weight"] = _head.Weight.Value.Block(_head.OutFeatures, c);
        slices["head.bias"] = _head.Bias!.Value;
        return slices;
    }

    private static Tensor SlicedGroupNorm(GroupNorm norm, Tensor x)
    {
        int c = x.Size(-1);
        return Functional.GroupNorm1(x, norm.Weight.Value.Narrow(0, 0, c), norm.Bias.Value.Narrow(0, 0, c), norm.Eps);
    }

    private Linear NewHead(int numClasses)
    {
        if (numClasses < 1) throw new ArgumentException($"The number of classes must be at least 1; got {numClasses}.");
        var head = new Linear(_space.Settings.Widths[3][^1], numClasses, _generator);
        FormerSearch.Models.Blocks.Layers.TruncNormalInit(head, _generator);
        return head;
    }

    private static Module Child(Module parent, string name)
    {
        foreach (var (n, m) in parent.NamedChildren()) if (n == name) return m;
        throw new InvalidOperationException($"{parent.GetType().Name} has no child '{name}'.");
    }
}
