using FormerSearch.Engine;
using FormerSearch.Models.Blocks;
using FormerSearch.Models.Profiling;

namespace FormerSearch.Models;

/// <summary>
/// A BurgerFormer architecture, mirroring the official dictionary (xingxing-123/BurgerFormer <c>arch.py</c>;
/// read and written by <see cref="BurgerFormerArchFormat"/>): per stage the macro choices (depth, width, ratio)
/// and the meso cell (three micro sub-blocks, residual edges, layer-scale and drop flags). The rest is what the
/// official <c>burgerformer()</c> fixes: the ViT-NAS convolutional stem (24 channels, stride 4 unless <see cref="StemStride"/> says 2), a 3×3
/// stride-2 convolution + GroupNorm between stages, attention heads [−, −, 4, 8], a final GroupNorm, global
/// average pooling and a linear head.
/// </summary>
public sealed record BurgerFormerConfig : IModelConfig
{
    /// <summary>The four stages.</summary>
    public required IReadOnlyList<BurgerFormerStageConfig> Stages { get; init; }

    /// <summary>Attention heads per stage; 0 where attention is not allowed. Default: [0, 0, 4, 8] (official <c>num_heads = [-1, -1, 4, 8]</c>).</summary>
    public IReadOnlyList<int> AttentionHeads { get; init; } = [0, 0, 4, 8];

    /// <summary>Channels of the stem's three 3×3 convolutions. Default: 24 (<c>ViTNASPatchEmbed(mid_chans=24)</c>).</summary>
    public int StemChannels { get; init; } = 24;

    /// <summary>
    /// How much the stem downsamples: 4 (official: <c>conv1</c> and <c>conv_proj</c> stride 2) or 2 (<c>conv_proj</c> stride 1,
    /// the same weights), for small images — at 28×28 the stages then run at 14/7/4/2 pixels instead of 7/4/2/1. Default: 4.
    /// </summary>
    public int StemStride { get; init; } = 4;

    /// <summary>Stride of the stem's projection <c>conv_proj</c>: 2 for <see cref="StemStride"/> 4, 1 for 2.</summary>
    public int ProjectionStride => StemStride / 2;

    /// <summary>Initial value of every layer scale. Default: 1e-5.</summary>
    public float LayerScaleInit { get; init; } = 1e-5f;

    /// <summary>Stage widths.</summary>
    public IReadOnlyList<int> Widths
    {
        get
        {
            var w = new int[Stages.Count];
            for (int i = 0; i < w.Length; i++) w[i] = Stages[i].Width;
            return w;
        }
    }

    /// <summary>Value equality: the same stages, heads, stem and layer-scale init (so architectures can key dictionaries).</summary>
    public bool Equals(BurgerFormerConfig? other) =>
        other is not null && Stages.SequenceEqual(other.Stages) && AttentionHeads.SequenceEqual(other.AttentionHeads)
        && StemChannels == other.StemChannels && StemStride == other.StemStride && LayerScaleInit.Equals(other.LayerScaleInit);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var s in Stages) hash.Add(s);
        foreach (int h in AttentionHeads) hash.Add(h);
        hash.Add(StemChannels);
        hash.Add(StemStride);
        hash.Add(LayerScaleInit);
        return hash.ToHashCode();
    }

    /// <summary>Checks the structure the official model assumes.</summary>
    /// <exception cref="UserInputException">Not four stages; a stem stride other than 2 or 4; a depth, width or ratio below 1; a meso cell without three sub-blocks and six edges; a norm, op or activation BurgerFormer does not have; a middle sub-block whose op is not skip or dwise_3x3; attention in a stage without heads or with heads that do not divide its width (expanded width for the middle block).</exception>
    public void Validate()
    {
        if (Stages.Count != 4 || AttentionHeads.Count != 4)
            throw new UserInputException($"A BurgerFormer has four stages and four attention-head counts; got {Stages.Count} stages and {AttentionHeads.Count} head counts.");
        if (StemChannels < 1) throw new UserInputException($"The stem needs a positive channel count; got {StemChannels}.");
        SizeLimits.CheckWidth(StemChannels, "The BurgerFormer stem width");
        if (StemStride is not (2 or 4)) throw new UserInputException($"The BurgerFormer stem downsamples by 4 (official) or 2; got a stem stride of {StemStride}.");
        SizeLimits.CheckDepth(Stages.Sum(s => (long)s.Depth), "the BurgerFormer");
        for (int i = 0; i < Stages.Count; i++)
        {
            SizeLimits.CheckWidth(Stages[i].Width * (double)Math.Max(1, Stages[i].Ratio), $"stage-{i + 1}'s width times its ratio");
            SizeLimits.CheckHeads(AttentionHeads[i], $"stage-{i + 1}'s attention head count");
        }
        for (int i = 0; i < Stages.Count; i++)
        {
            var s = Stages[i];
            string stage = $"stage-{i + 1}";
            if (s.Depth < 1 || s.Width < 1 || s.Ratio < 1)
                throw new UserInputException($"{stage} needs a positive depth, width and ratio; got depth {s.Depth}, width {s.Width}, ratio {s.Ratio}.");
            if (s.Meso.SubBlocks.Count != 3 || s.Meso.Edges.Count != 6)
                throw new UserInputException($"{stage} needs three sub-blocks and six edges; got {s.Meso.SubBlocks.Count} sub-blocks and {s.Meso.Edges.Count} edges.");
            for (int j = 0; j < 3; j++)
            {
                var m = s.Meso.SubBlocks[j];
                if (BurgerFormerVocabulary.Unknown(m) is { } unknown)
                    throw new UserInputException($"{stage} sub-block {j + 1} has {unknown}, which BurgerFormer does not have.");
                // The official block silently drops a middle op outside its list; rejecting it is clearer.
                if (j == 1 && m.Op != TokenMixerKind.Identity && m.Op != TokenMixerKind.DepthwiseConv3x3)
                    throw new UserInputException($"{stage} sub-block 2 is expanded and takes only skip or dwise_3x3; got {BurgerFormerVocabulary.Name(m.Op)}.");
                if (m.Op == TokenMixerKind.Attention)
                {
                    int heads = AttentionHeads[i];
                    if (heads < 1 || s.Width % heads != 0)
                        throw new UserInputException($"{stage} sub-block {j + 1} uses self_atten, but the stage's {heads} attention heads do not divide its width {s.Width} (the official model has heads only in stages 3 and 4).");
                }
            }
        }
    }

    /// <summary>Feature-map size of each stage for an <paramref name="height"/>×<paramref name="width"/> image: the stem halves twice (once with <see cref="StemStride"/> 2), each downsampling halves (3×3, stride 2, padding 1: ⌈n/2⌉).</summary>
    /// <exception cref="UserInputException">The image is too small for a convolution.</exception>
    public (int H, int W)[] StageSizes(int height, int width)
    {
        var sizes = new (int H, int W)[Stages.Count];
        int h = ProfileBuilder.ConvOut("patch_embed.conv1", height, 3, 2, 1), w = ProfileBuilder.ConvOut("patch_embed.conv1", width, 3, 2, 1);
        h = ProfileBuilder.ConvOut("patch_embed.conv_proj", h, 3, ProjectionStride, 1);
        w = ProfileBuilder.ConvOut("patch_embed.conv_proj", w, 3, ProjectionStride, 1);
        for (int i = 0; i < sizes.Length; i++)
        {
            if (i > 0)
            {
                h = ProfileBuilder.ConvOut("a downsampling layer", h, 3, 2, 1);
                w = ProfileBuilder.ConvOut("a downsampling layer", w, 3, 2, 1);
            }
            sizes[i] = (h, w);
        }
        return sizes;
    }
}
