using FormerSearch.Models;

namespace FormerSearch.Spaces;

/// <summary>
/// The values of one <see cref="BurgerSpace"/> preset: the macro candidates per stage (the official
/// <c>search_config.CONFIG</c> <c>depth</c>/<c>width</c>/<c>ratio</c>), where attention and the spatial MLP may go, the
/// input, the stem's stride, and whether residual edges are searched.
/// </summary>
public sealed record BurgerSpaceSettings
{
    /// <summary>Candidate depths per stage, increasing.</summary>
    public required IReadOnlyList<IReadOnlyList<int>> Depths { get; init; }

    /// <summary>Candidate widths per stage, increasing.</summary>
    public required IReadOnlyList<IReadOnlyList<int>> Widths { get; init; }

    /// <summary>Candidate expansion ratios of the middle sub-block per stage, increasing.</summary>
    public required IReadOnlyList<IReadOnlyList<int>> Ratios { get; init; }

    /// <summary>Per stage, whether the outer sub-blocks may use <c>self_atten</c> and <c>spatial_mlp</c>. Default: stages 3–4 (official <c>has_atten_mlp</c>).</summary>
    public IReadOnlyList<bool> HasAttentionMlp { get; init; } = [false, false, true, true];

    /// <summary>The input the preset is meant for.</summary>
    public required ModelInput Input { get; init; }

    /// <summary>
    /// Whether the six residual edges of a cell are choices (official <c>search_residual=True</c>). Default: false,
    /// the official search's fixed pattern: 1->2 always, 0->1 and 2->3 exactly when sub-block 1 / 3 has an op.
    /// </summary>
    public bool SearchResidual { get; init; }

    /// <summary>How much every subnet's stem downsamples (<see cref="BurgerFormerConfig.StemStride"/>): 4 (official) or 2. Default: 4.</summary>
    public int StemStride { get; init; } = 4;

    /// <summary>The official search space (xingxing-123/BurgerFormer <c>search_config.py</c>) at 3×224×224.</summary>
    public static BurgerSpaceSettings ImageNet { get; } = new()
    {
        Depths = [[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4]],
        Widths = [[32, 64, 96], [64, 96, 128], [128, 192, 256, 320], [128, 256, 384, 512]],
        Ratios = [[1, 2, 4, 6], [1, 2, 4, 6], [1, 2, 4, 6], [1, 2, 4, 6]],
        Input = ModelInput.ImageNet,
    };

    /// <summary>
    /// A small space for 1×28×28 images (Fashion-MNIST): the same micro and meso choices, narrower and shallower
    /// stages. The stem still divides by 4, so stages run at 7×7, 4×4, 2×2 and 1×1 (widths of stages 3–4 divisible
    /// by their 4 and 8 attention heads).
    /// </summary>
    public static BurgerSpaceSettings Mini { get; } = new()
    {
        Depths = [[1, 2], [1, 2], [1, 2, 3, 4], [1, 2]],
        Widths = [[16, 24, 32], [32, 48, 64], [64, 96, 128], [96, 128, 192]],
        Ratios = [[1, 2, 4], [1, 2, 4], [1, 2, 4], [1, 2, 4]],
        Input = new ModelInput(1, 28, 28),
    };

    /// <summary>
    /// <see cref="Mini"/> at half the widths, for budgets below <see cref="Mini"/>'s smallest subnet (0.12 M parameters):
    /// its subnets span 0.04–0.71 M parameters and 2.2–4.5 MMACs on 10 classes, so a search under 100 K parameters has candidates
    /// (widths of stages 3–4 still divisible by their 4 and 8 attention heads).
    /// </summary>
    public static BurgerSpaceSettings Micro { get; } = Mini with
    {
        Widths = [[8, 12, 16], [16, 24, 32], [32, 48, 64], [48, 64, 96]],
    };

    /// <summary>
    /// <see cref="Mini"/> with a stem that downsamples by 2 (its projection at stride 1, the same weights): at 28×28 the
    /// stages run at 14×14, 7×7, 4×4 and 2×2 — the resolution small-image CNNs keep — for the same parameters (the spatial MLPs of
    /// stages 3–4 aside, which mix 16 and 4 positions instead of 4 and 1) and more MACs: 4–36 MMACs against <see cref="Mini"/>'s 3–11.
    /// </summary>
    public static BurgerSpaceSettings MiniStem2 { get; } = Mini with { StemStride = 2 };

    /// <summary><see cref="Micro"/> with the stem of <see cref="MiniStem2"/>: 3–11 MMACs against <see cref="Micro"/>'s 2–4.</summary>
    public static BurgerSpaceSettings MicroStem2 { get; } = Micro with { StemStride = 2 };
}
