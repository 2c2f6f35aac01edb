using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// A learned position embedding added to a channels-last map (the MetaFormer baselines' <c>AddPositionEmb</c>),
/// stored <c>[1, H, W, C]</c> and exported as the official <c>pos_embed</c> <c>[1, C, H, W]</c>: the same
/// permutation as a convolution weight's OHWI ↔ OIHW with O = 1. Initialised to zeros, as the official code leaves it.
/// </summary>
public sealed class AddPositionEmbedding : Layer
{
    private readonly Parameter _posEmbed;

    /// <summary>An embedding for <paramref name="height"/>×<paramref name="width"/> maps of <paramref name="dim"/> channels.</summary>
    public AddPositionEmbedding(int dim, int height, int width)
    {
        _posEmbed = RegisterParameter("pos_embed", new Parameter(1, height, width, dim) { ExternalLayout = ExternalLayout.ConvOihw });
        _posEmbed.NoWeightDecay = true;
    }

    /// <summary><c>[B, H, W, C]</c> → <c>x + pos_embed</c>.</summary>
    /// <exception cref="ArgumentException">The map size or channels differ from the embedding's.</exception>
    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 4 || x.Size(1) != _posEmbed.Shape[1] || x.Size(2) != _posEmbed.Shape[2] || x.Size(3) != _posEmbed.Shape[3])
            throw new ArgumentException($"The position embedding {Tensor.FormatShape(_posEmbed.Shape)} does not fit {Tensor.FormatShape(x.Shape)}.");
        return Functional.Add(x, _posEmbed.Value);
    }
}
