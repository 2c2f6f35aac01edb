// The GLiT supernet. The paper (Chen et al., ICCV 2021, Sec. 3.3) trains it with SPOS; the official repository has no
// supernet code, so the weight sharing here follows DESIGN.md: head splits are separate weights per alternative (or,
// measured as the alternative, one set of every head shared by all splits), widths (Q-K-V, local expansion, FFN) are
// leading slices and kernels centre crops of the largest weights.
using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;
using FormerSearch.Spaces;

namespace FormerSearch.Supernets.Glit;

/// <summary>
/// Every subnet of a <see cref="GlitSpace"/> in one network: the zoo <see cref="Models.Glit"/>'s skeleton
/// (<see cref="ClassTokenVit"/>: <c>cls_token</c>, <c>pos_embed</c>, <c>patch_embed</c>, <c>norm</c>, <c>head</c>, shared by all), and per block
/// shared norms and MLP around one mixer per head split (<c>blocks.{i}.attn.g{g}l{l}.qkv</c>, <c>….net.1</c>, …).
/// A forward through the active subnet costs what the extracted <see cref="Models.Glit"/> costs, plus splitting its
/// fused q-k-v and GLU projections into separate GEMMs; gradients land only in the active slices.
/// </summary>
public sealed class GlitSupernet : Supernet
{
    private readonly GlitSpace _space;
    private readonly GlitSuperBlock[] _blocks;

    /// <summary>
    /// The supernet of <paramref name="space"/> for <paramref name="options"/>' input and classes, drawn from
    /// <paramref name="options"/>' seed as the zoo model draws its weights; its largest subnet active. Its dropout and
    /// drop-path masks come from the same generator, which is <see cref="VisionModel.Randomness"/>. Its head splits'
    /// weights are as <paramref name="headSplits"/> says.
    /// </summary>
    /// <exception cref="UserInputException">The options are invalid or the image is not a whole number of patches.</exception>
    public GlitSupernet(GlitSpace space, ModelOptions options, HeadSplitWeights headSplits = HeadSplitWeights.Own) : base(space, options)
    {
        var s = space.Settings;
        _space = space;
        _blocks = new GlitSuperBlock[s.Depth];
        var skeleton = ClassTokenVitSpec.ForGlit(s.EmbedDim, s.PatchSize, s.Depth, s.NormEps);
        Skeleton = new ClassTokenVit(this, skeleton, options, Generator, (i, dropPath) => _blocks[i] = new GlitSuperBlock(s, headSplits, options.DropRate, dropPath, Generator));
        Activate(space.Largest());
    }

    /// <inheritdoc/>
    protected override void OnActivate(Architecture architecture)
    {
        var config = _space.ToConfig(architecture);
        for (int i = 0; i < _blocks.Length; i++) _blocks[i].Activate(config.Layers[i]);
    }

    /// <summary>The zoo <see cref="Models.Glit"/> of <paramref name="architecture"/> (same input, classes, dropout and drop-path rates and seed).</summary>
    protected override VisionModel CreateStandalone(Architecture architecture, ModelOptions options) =>
        new Models.Glit(_space.ToConfig(architecture), options);
}
