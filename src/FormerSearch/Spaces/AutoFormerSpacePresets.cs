using FormerSearch.Engine;
using FormerSearch.Models;

namespace FormerSearch.Spaces;

/// <summary>
/// The AutoFormer space presets: <c>tiny</c>, <c>small</c>, <c>base</c> are the official
/// <c>experiments/supernet/supernet-{T,S,B}.yaml</c> (the paper's Table 1), <c>mini</c> a small space for 1×28×28
/// images (Fashion-MNIST) whose supernet trains an epoch in minutes on two cores.
/// </summary>
public static class AutoFormerSpacePresets
{
    /// <summary>Preset names, the default (<c>mini</c>) first.</summary>
    public static IReadOnlyList<string> Names { get; } = ["mini", "tiny", "small", "base"];

    /// <summary>The configuration of preset <paramref name="name"/>.</summary>
    /// <exception cref="UserInputException">Unknown preset.</exception>
    public static AutoFormerSpaceConfig Get(string name) => name switch
    {
        "tiny" => new()
        {
            SuperEmbedDim = 256, SuperDepth = 14, SuperMlpRatio = 4f, SuperNumHeads = 4,
            EmbedDims = [192, 216, 240], Depths = [12, 13, 14], MlpRatios = [3.5f, 4f], NumHeads = [3, 4],
        },
        "small" => new()
        {
            SuperEmbedDim = 448, SuperDepth = 14, SuperMlpRatio = 4f, SuperNumHeads = 7,
            EmbedDims = [320, 384, 448], Depths = [12, 13, 14], MlpRatios = [3f, 3.5f, 4f], NumHeads = [5, 6, 7],
        },
        "base" => new()
        {
            SuperEmbedDim = 640, SuperDepth = 16, SuperMlpRatio = 4f, SuperNumHeads = 10,
            EmbedDims = [528, 576, 624], Depths = [14, 15, 16], MlpRatios = [3f, 3.5f, 4f], NumHeads = [9, 10],
        },
        // 4×4 patches of 28×28: 7×7 tokens; heads 32 wide so that 4 heads fill the largest width.
        "mini" => new()
        {
            SuperEmbedDim = 128, SuperDepth = 6, SuperMlpRatio = 4f, SuperNumHeads = 4,
            EmbedDims = [64, 96, 128], Depths = [4, 5, 6], MlpRatios = [2f, 3f, 4f], NumHeads = [2, 3, 4],
            HeadDim = 32, PatchSize = 4, Input = new ModelInput(1, 28, 28),
        },
        _ => throw new UserInputException($"The AutoFormer space has no preset '{name}'; its presets: {string.Join(", ", Names)}."),
    };
}
