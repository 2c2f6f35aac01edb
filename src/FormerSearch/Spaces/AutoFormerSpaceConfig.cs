namespace FormerSearch.Spaces;

/// <summary>
/// An AutoFormer search space as the official experiment files describe one (<c>experiments/supernet/supernet-T.yaml</c>):
/// the supernet's largest sizes (section <c>SUPERNET</c>, which sizes the shared weights) and the values each choice
/// may take (section <c>SEARCH_SPACE</c>), plus the fixed settings the official README runs with (<c>--change_qkv</c>,
/// <c>--relative_position</c>, <c>--gp</c>).
/// </summary>
public sealed record AutoFormerSpaceConfig
{
    /// <summary>Width of the supernet's weights (<c>SUPERNET.EMBED_DIM</c>); also the largest q, k and v width.</summary>
    public required int SuperEmbedDim { get; init; }

    /// <summary>Layers of the supernet (<c>SUPERNET.DEPTH</c>).</summary>
    public required int SuperDepth { get; init; }

    /// <summary>MLP ratio of the supernet's weights (<c>SUPERNET.MLP_RATIO</c>): its hidden width is <c>⌊SuperEmbedDim·ratio⌋</c>.</summary>
    public required float SuperMlpRatio { get; init; }

    /// <summary>Heads of the supernet (<c>SUPERNET.NUM_HEADS</c>): the relative position tables are <c>SuperEmbedDim / SuperNumHeads</c> wide.</summary>
    public required int SuperNumHeads { get; init; }

    /// <summary>Allowed token widths, increasing (<c>SEARCH_SPACE.EMBED_DIM</c>).</summary>
    public required IReadOnlyList<int> EmbedDims { get; init; }

    /// <summary>Allowed depths, increasing (<c>SEARCH_SPACE.DEPTH</c>).</summary>
    public required IReadOnlyList<int> Depths { get; init; }

    /// <summary>Allowed MLP ratios of each layer, increasing (<c>SEARCH_SPACE.MLP_RATIO</c>).</summary>
    public required IReadOnlyList<float> MlpRatios { get; init; }

    /// <summary>Allowed head counts of each layer, increasing (<c>SEARCH_SPACE.NUM_HEADS</c>).</summary>
    public required IReadOnlyList<int> NumHeads { get; init; }

    /// <summary>Channels per head of q, k and v, whatever the width (the official code hard-codes 64 with <c>--change_qkv</c>). Default: 64.</summary>
    public int HeadDim { get; init; } = 64;

    /// <summary>Side of the square patches. Default: 16.</summary>
    public int PatchSize { get; init; } = 16;

    /// <summary>Largest distance the relative position tables tell apart. Default: 14.</summary>
    public int MaxRelativePosition { get; init; } = 14;

    /// <summary>The input the space is meant for. Default: 3×224×224.</summary>
    public Models.ModelInput Input { get; init; } = Models.ModelInput.ImageNet;

    /// <summary>Hidden width of the supernet's MLP weights, <c>int(SuperEmbedDim·SuperMlpRatio)</c> as the official code truncates it.</summary>
    public int SuperHidden => (int)(SuperEmbedDim * SuperMlpRatio);

    /// <summary>Checks that every architecture of the space fits the supernet's weights.</summary>
    /// <exception cref="ArgumentException">A list is empty, not increasing or not positive, or a choice exceeds the supernet; the message names it.</exception>
    public void Validate()
    {
        SizeValues.CheckIncreasing("The AutoFormer space's embed_dim values", EmbedDims, 1);
        SizeValues.CheckIncreasing("The AutoFormer space's depths", Depths, 1);
        SizeValues.CheckIncreasing("The AutoFormer space's head counts", NumHeads, 1);
        SizeValues.CheckIncreasing("The AutoFormer space's MLP ratios", MlpRatios, float.Epsilon);
        if (HeadDim < 1 || PatchSize < 1 || MaxRelativePosition < 0)
            throw new ArgumentException($"Invalid AutoFormer space settings: head width {HeadDim}, patch {PatchSize}, max distance {MaxRelativePosition}.");
        if (Depths[^1] > SuperDepth)
            throw new ArgumentException($"AutoFormer depth {Depths[^1]} exceeds the supernet's {SuperDepth} layers.");
        if (EmbedDims[^1] > SuperEmbedDim)
            throw new ArgumentException($"AutoFormer embed_dim {EmbedDims[^1]} exceeds the supernet's width {SuperEmbedDim}.");
        if (NumHeads[^1] * HeadDim > SuperEmbedDim)
            throw new ArgumentException($"AutoFormer heads {NumHeads[^1]} of width {HeadDim} exceed the supernet's q/k/v width {SuperEmbedDim}.");
        if (SuperNumHeads < 1 || SuperEmbedDim % SuperNumHeads != 0 || SuperEmbedDim / SuperNumHeads != HeadDim)
            throw new ArgumentException($"The supernet's {SuperNumHeads} heads over width {SuperEmbedDim} must be {HeadDim} wide each, the head width of every subnet.");
        if ((int)(EmbedDims[^1] * MlpRatios[^1]) > SuperHidden)
            throw new ArgumentException($"AutoFormer MLP width {(int)(EmbedDims[^1] * MlpRatios[^1])} exceeds the supernet's {SuperHidden}.");
        if (Input.Height % PatchSize != 0 || Input.Width % PatchSize != 0)
            throw new ArgumentException($"The AutoFormer space's input {Input} is not divisible into {PatchSize}×{PatchSize} patches.");
    }
}
