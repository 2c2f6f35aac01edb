using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models.Profiling;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// The four-stage skeleton PoolFormer and BurgerFormer share (MetaFormer's, Yu et al., CVPR 2022,
/// https://arxiv.org/abs/2111.11418): a stem (<c>patch_embed</c>), the stages and the downsampling layers between them
/// in one list (<c>network.{i}</c>), a final norm (<c>norm</c>), global average pooling and a linear head (<c>head</c>).
/// Channels-last throughout: <c>[B, H, W, C]</c>. Like <see cref="ClassTokenVit"/> it registers its parts on the model
/// that owns it, at the top level where the official checkpoints keep them.
/// </summary>
public sealed class StagePyramid : IModelSkeleton
{
    private readonly VisionModel _owner;
    private readonly Generator _generator;
    private readonly int _width;
    private readonly Layer _stem;
    private readonly Layer[] _network;
    private readonly Layer _norm;
    private Linear _head;

    /// <summary>
    /// Registers <paramref name="stem"/>, <paramref name="network"/> and <paramref name="norm"/> (built by the model, in
    /// that order, from <paramref name="generator"/>) on <paramref name="owner"/>, then draws a head of
    /// <paramref name="width"/> inputs and <paramref name="numClasses"/> outputs (<see cref="ClassifierHead"/>).
    /// </summary>
    /// <exception cref="UserInputException"><paramref name="numClasses"/> is below 1.</exception>
    public StagePyramid(VisionModel owner, Layer stem, IReadOnlyList<Layer> network, Layer norm, int width, int numClasses, Generator generator)
    {
        _owner = owner;
        _generator = generator;
        _width = width;
        _stem = owner.RegisterPart("patch_embed", stem);
        owner.RegisterPart("network", new ModuleList<Layer>(network));
        _network = [.. network];
        _norm = owner.RegisterPart("norm", norm);
        _head = owner.RegisterPart("head", ClassifierHead.Create(width, numClasses, generator));
    }

    /// <summary>
    /// The stages and the downsampling layers between them, in the order <c>network</c> holds them and the families draw
    /// them: for each stage <paramref name="beforeStage"/>'s layer if it gives one (PoolFormer's position embedding), the
    /// stage's blocks in a <see cref="Sequential"/> (<paramref name="block"/>(stage, drop-path rate of the block, rising
    /// over all blocks as <see cref="StochasticDepth"/> says)), then <paramref name="downsample"/>(stage) into the next stage.
    /// </summary>
    public static List<Layer> Network(IReadOnlyList<int> depths, float dropPathRate, Func<int, float, Layer> block, Func<int, Layer> downsample,
        Func<int, Layer?>? beforeStage = null)
    {
        var network = new List<Layer>();
        int totalBlocks = depths.Sum(), blockIndex = 0;
        for (int i = 0; i < depths.Count; i++)
        {
            if (beforeStage?.Invoke(i) is { } first) network.Add(first);
            var stage = new Sequential();
            for (int j = 0; j < depths[i]; j++, blockIndex++) stage.Add(block(i, StochasticDepth.Rate(dropPathRate, blockIndex, totalBlocks)));
            network.Add(stage);
            if (i + 1 < depths.Count) network.Add(downsample(i));
        }
        return network;
    }

    /// <inheritdoc/>
    public int NumClasses => _head.OutFeatures;

    /// <summary>Images <c>[B, H, W, C]</c> → the normalised last-stage map <c>[B, h, w, C']</c>.</summary>
    public Tensor ForwardFeatures(Tensor images)
    {
        var x = _stem.Forward(images);                       // [B, H/4, W/4, C0]
        foreach (var layer in _network) x = layer.Forward(x);
        return _norm.Forward(x);                             // [B, H/32, W/32, C3]
    }

    /// <summary><c>[B, h, w, C]</c> → mean over positions → head: <c>[B, K]</c>.</summary>
    public Tensor ForwardHead(Tensor features) => _head.Forward(Functional.GlobalAvgPool(features));

    /// <summary>Replaces the head by a fresh one (<see cref="ClassifierHead.Create"/>) with <paramref name="numClasses"/> outputs, in the old one's place.</summary>
    /// <exception cref="UserInputException"><paramref name="numClasses"/> is below 1.</exception>
    public void ResetClassifier(int numClasses) => _head = _owner.ReplacePart("head", ClassifierHead.Create(_width, numClasses, _generator));

    /// <summary>
    /// The profile of a model on this skeleton: the rows <paramref name="network"/> adds for the stem, stages and
    /// downsampling (it returns the last map's size and channels), then the final norm (<paramref name="normKind"/>,
    /// with a scale and shift unless <paramref name="normAffine"/> is off), the pool and the head.
    /// </summary>
    public static ModelProfile Profile(string name, ModelOptions options, string normKind, bool normAffine, Func<ProfileBuilder, (int H, int W, int C)> network)
    {
        var p = new ProfileBuilder();
        var (h, w, c) = network(p);
        p.Norm("norm", normKind, c, [h, w, c], normAffine);
        p.Free("pool", "global average pool", [c]);
        p.Linear("head", c, options.NumClasses, [options.NumClasses], 1);
        return p.Build(name, options.Input, options.NumClasses);
    }
}
