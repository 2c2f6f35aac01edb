using FormerSearch.Engine;

namespace FormerSearch.Models;

/// <summary>
/// A standalone GLiT network (Chen et al., "GLiT: Neural Architecture Search for Global and Local Image
/// Transformer", ICCV 2021) as the official <c>RetrainTransformer</c> builds it: a DeiT stem and head around
/// per-layer global-local blocks (<see cref="GlitLayerConfig"/>). The form GLiT's search space produces.
/// </summary>
public sealed record GlitConfig : IModelConfig
{
    /// <summary>Side of the square patches of the convolutional stem. Default: 16.</summary>
    public int PatchSize { get; init; } = 16;

    /// <summary>Token width, shared by every layer. GLiT-Tiny: 192.</summary>
    public required int EmbedDim { get; init; }

    /// <summary>Heads per layer, global and local together. Default: 3 (GLiT-Tiny).</summary>
    public int NumHeads { get; init; } = 3;

    /// <summary>The layers in order; their count is the depth.</summary>
    public required IReadOnlyList<GlitLayerConfig> Layers { get; init; }

    /// <summary>LayerNorm epsilon. Default: 1e-6 (<c>glit_tiny_patch16_224</c> passes it).</summary>
    public float NormEps { get; init; } = 1e-6f;

    /// <summary>Transformer layers.</summary>
    public int Depth => Layers.Count;

    /// <summary>Channels per head, <c>EmbedDim / NumHeads</c>.</summary>
    public int HeadDim => EmbedDim / NumHeads;

    /// <summary>Channels the global heads of layer <paramref name="layer"/> read (the first ones of the token).</summary>
    public int GlobalDim(int layer) => Layers[layer].GlobalHeads * HeadDim;

    /// <summary>Channels the local heads of layer <paramref name="layer"/> read (the last ones of the token).</summary>
    public int LocalDim(int layer) => Layers[layer].LocalHeads * HeadDim;

    /// <summary>Width of each global head's q, k and v in layer <paramref name="layer"/>: <c>HeadDim · e_v</c>.</summary>
    public int GlobalHeadWidth(int layer) => (int)(HeadDim * Layers[layer].GlobalExpansion);

    /// <summary>Inner width of the local heads of layer <paramref name="layer"/>: <c>LocalDim · e_c</c>.</summary>
    public int LocalInnerDim(int layer) => LocalDim(layer) * Layers[layer].LocalExpansion;

    /// <summary>MLP hidden width of layer <paramref name="layer"/>, <c>int(EmbedDim · ratio)</c> as the official code truncates it.</summary>
    public int HiddenDim(int layer) => (int)(EmbedDim * Layers[layer].MlpRatio);

    /// <summary>Checks the sizes (the image is checked against the patch size when the model is built).</summary>
    /// <exception cref="UserInputException">A size is not positive, the heads do not divide the width, a layer's heads do not add up, or an expansion does not give whole channels.</exception>
    public void Validate()
    {
        SizeLimits.CheckDepth(Layers.Count, "the GLiT");
        SizeLimits.CheckWidth(EmbedDim, "The GLiT width");
        SizeLimits.CheckHeads(NumHeads, "The GLiT head count");
        foreach (var l in Layers)
        {
            SizeLimits.CheckWidth(EmbedDim * (double)l.MlpRatio, "A GLiT MLP width");
            SizeLimits.CheckWidth(EmbedDim * (double)l.GlobalExpansion, "A GLiT global expanded width");
            SizeLimits.CheckWidth(EmbedDim * (double)l.LocalExpansion, "A GLiT local expanded width");
            SizeLimits.CheckWidth(l.Kernel, "A GLiT local kernel");
        }
        if (PatchSize < 1 || EmbedDim < 1 || NumHeads < 1 || Layers.Count < 1)
            throw new UserInputException($"Invalid GLiT config: patch {PatchSize}, width {EmbedDim}, {NumHeads} heads, depth {Layers.Count}.");
        if (EmbedDim % NumHeads != 0)
            throw new UserInputException($"The GLiT width {EmbedDim} is not divisible by {NumHeads} heads.");
        for (int i = 0; i < Layers.Count; i++)
        {
            var l = Layers[i];
            if (l.GlobalHeads < 0 || l.LocalHeads < 0 || l.GlobalHeads + l.LocalHeads != NumHeads)
                throw new UserInputException($"GLiT layer {i} has {l.GlobalHeads} global and {l.LocalHeads} local heads; they must be non-negative and add up to {NumHeads}.");
            if (l.GlobalHeads > 0 && !(l.GlobalExpansion > 0 && GlobalHeadWidth(i) >= 1 && GlobalHeadWidth(i) == HeadDim * (double)l.GlobalExpansion))
                throw new UserInputException($"GLiT layer {i}'s global expansion {l.GlobalExpansion} does not give a whole, positive width per {HeadDim}-channel head.");
            if (l.LocalHeads > 0 && (l.LocalExpansion < 1 || l.Kernel < 1))
                throw new UserInputException($"GLiT layer {i} has local expansion {l.LocalExpansion} and kernel {l.Kernel}; both must be at least 1.");
            if (!(l.MlpRatio > 0) || HiddenDim(i) < 1)
                throw new UserInputException($"GLiT layer {i}'s MLP ratio {l.MlpRatio} does not give a positive hidden width.");
        }
    }
}
