using FormerSearch.Models;

namespace FormerSearch.Spaces;

/// <summary>
/// The fixed frame and per-block value sets of a GLiT search space (Chen et al., ICCV 2021, Table 2): a DeiT-like stem
/// and head of fixed width around <see cref="Depth"/> global-local blocks whose head split, local kernel and expansion,
/// global Q-K-V expansion and FFN ratio are searched. Values are in increasing order.
/// </summary>
public sealed record GlitSpaceSettings
{
    /// <summary>Side of the square patches. ImageNet: 16.</summary>
    public required int PatchSize { get; init; }

    /// <summary>Token width of every block. ImageNet: 192.</summary>
    public required int EmbedDim { get; init; }

    /// <summary>Heads per block, global and local together. ImageNet: 3.</summary>
    public int NumHeads { get; init; } = 3;

    /// <summary>Blocks. ImageNet: 12.</summary>
    public required int Depth { get; init; }

    /// <summary>The image the preset is meant for.</summary>
    public required ModelInput Input { get; init; }

    /// <summary>Local heads' depthwise conv1d kernels, all of one parity (so smaller kernels are centre crops of the largest). ImageNet: 17, 31, 45.</summary>
    public required IReadOnlyList<int> Kernels { get; init; }

    /// <summary>Local heads' expansion e_c. ImageNet: 1, 2, 4.</summary>
    public required IReadOnlyList<int> LocalExpansions { get; init; }

    /// <summary>Global heads' Q-K-V expansion e_v (Table 2's Q-K-V width 96, 192, 384 over the width 192). ImageNet: 0.5, 1, 2.</summary>
    public required IReadOnlyList<float> GlobalExpansions { get; init; }

    /// <summary>FFN (MLP) ratios. ImageNet: 2, 4, 6.</summary>
    public required IReadOnlyList<float> MlpRatios { get; init; }

    /// <summary>LayerNorm epsilon, as <c>glit_tiny_patch16_224</c>. Default: 1e-6.</summary>
    public float NormEps { get; init; } = 1e-6f;

    /// <summary>Channels per head.</summary>
    public int HeadDim => EmbedDim / NumHeads;

    /// <summary>Table 2 of the paper around GLiT-Tiny's frame: 12 blocks of width 192 with 3 heads, 16×16 patches of 3×224×224 images (197 tokens).</summary>
    public static GlitSpaceSettings ImageNet { get; } = new()
    {
        PatchSize = 16,
        EmbedDim = 192,
        Depth = 12,
        Input = ModelInput.ImageNet,
        Kernels = [17, 31, 45],
        LocalExpansions = [1, 2, 4],
        GlobalExpansions = [0.5f, 1f, 2f],
        MlpRatios = [2f, 4f, 6f],
    };

    /// <summary>
    /// Fashion-MNIST sized: 1×28×28 images in 4×4 patches (49 + 1 tokens), 6 blocks of width 96 with 3 heads; kernels
    /// scaled with the token count (17, 31, 45 of 197 tokens ≈ 5, 9, 13 of 50), the other value sets as the paper's.
    /// </summary>
    public static GlitSpaceSettings Mini { get; } = new()
    {
        PatchSize = 4,
        EmbedDim = 96,
        Depth = 6,
        Input = new ModelInput(1, 28, 28),
        Kernels = [5, 9, 13],
        LocalExpansions = [1, 2, 4],
        GlobalExpansions = [0.5f, 1f, 2f],
        MlpRatios = [2f, 4f, 6f],
    };

    /// <summary>Checks the frame and the value sets.</summary>
    /// <exception cref="ArgumentException">A size is not positive, the heads do not divide the width, a value set is empty or not increasing, kernels differ in parity, or an expansion does not give whole channels per head.</exception>
    public void Validate()
    {
        if (PatchSize < 1 || EmbedDim < 1 || NumHeads < 1 || Depth < 1)
            throw new ArgumentException($"Invalid GLiT space frame: patch {PatchSize}, width {EmbedDim}, {NumHeads} heads, depth {Depth}.");
        if (EmbedDim % NumHeads != 0)
            throw new ArgumentException($"The GLiT space width {EmbedDim} is not divisible by {NumHeads} heads.");
        SizeValues.CheckIncreasing("The GLiT space's kernels", Kernels, 1);
        SizeValues.CheckIncreasing("The GLiT space's local expansions", LocalExpansions, 1);
        SizeValues.CheckIncreasing("The GLiT space's global expansions", GlobalExpansions, float.Epsilon);
        SizeValues.CheckIncreasing("The GLiT space's MLP ratios", MlpRatios, float.Epsilon);
        foreach (int k in Kernels)
            if ((k - Kernels[0]) % 2 != 0)
                throw new ArgumentException($"The GLiT space kernels {string.Join(", ", Kernels)} differ in parity; smaller kernels must be centre crops of the largest.");
        foreach (float e in GlobalExpansions)
            if ((int)(HeadDim * e) != HeadDim * (double)e)
                throw new ArgumentException($"The global expansion {e} does not give a whole width per {HeadDim}-channel head.");
        foreach (float r in MlpRatios)
            if ((int)(EmbedDim * r) < 1)
                throw new ArgumentException($"The MLP ratio {r} gives no hidden channels at width {EmbedDim}.");
    }
}
