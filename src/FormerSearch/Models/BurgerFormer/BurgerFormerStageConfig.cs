namespace FormerSearch.Models;

/// <summary>One stage of a BurgerFormer (the official <c>'stage-i'</c> entry): macro depth, width and ratio, and the meso cell its blocks share.</summary>
public sealed record BurgerFormerStageConfig
{
    /// <summary>Blocks in the stage (macro <c>depth</c>).</summary>
    public required int Depth { get; init; }

    /// <summary>Channels (macro <c>width</c>).</summary>
    public required int Width { get; init; }

    /// <summary>Expansion of the middle sub-block (macro <c>ratio</c>). Default: 4, what the official model uses when the dictionary has no ratio.</summary>
    public int Ratio { get; init; } = 4;

    /// <summary>The cell every block of the stage repeats.</summary>
    public required BurgerFormerMesoConfig Meso { get; init; }
}
