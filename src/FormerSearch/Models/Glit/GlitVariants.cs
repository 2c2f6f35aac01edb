using FormerSearch.Engine;

namespace FormerSearch.Models;

/// <summary>
/// The registered GLiT networks: GLiT-Tiny as the official <c>glit_tiny_patch16_224</c> defines it — width 192,
/// 3 heads, 12 layers given by the official <c>base_arch</c>/<c>arch</c> lists, decoded by <see cref="DecodeOfficial"/>.
/// </summary>
public static class GlitVariants
{
    /// <summary>GLiT-Tiny's official <c>base_arch</c>: global heads (of 3) per layer.</summary>
    public static IReadOnlyList<int> TinyBaseArch { get; } = [3, 0, 1, 3, 0, 1, 3, 1, 0, 3, 0, 3];

    /// <summary>GLiT-Tiny's official <c>arch</c>: per layer, an index into its kind's candidate grid.</summary>
    public static IReadOnlyList<int> TinyArch { get; } = [1, 4, 8, 4, 8, 8, 3, 6, 8, 4, 5, 8];

    /// <summary>Registry entries, in order.</summary>
    public static IEnumerable<ModelEntry> All()
    {
        yield return Entry("glit_tiny", new() { EmbedDim = 192, NumHeads = 3, Layers = DecodeOfficial(TinyBaseArch, TinyArch) });
    }

    /// <summary>
    /// The layers the official <c>RetrainTransformer.__init__</c> builds from <paramref name="baseArch"/> (global
    /// heads of 3 per layer) and <paramref name="arch"/> (an index, row-major, into the kind's candidate grid):
    /// all-local layers take kernel × e_c from {17, 31, 45} × {1, 2, 4} with MLP ratio
    /// <paramref name="defaultMlpRatio"/>; all-global layers e_v × MLP ratio from {0.5, 1, 2} × {2, 4, 6}; mixed
    /// layers e_c × MLP ratio from {1, 2, 4} × {2, 4, 6} with kernel 31 and e_v 1.
    /// </summary>
    /// <exception cref="UserInputException">The lists differ in length, a head count is outside 0..3, or an index is outside 0..8.</exception>
    public static IReadOnlyList<GlitLayerConfig> DecodeOfficial(IReadOnlyList<int> baseArch, IReadOnlyList<int> arch, float defaultMlpRatio = 4f)
    {
        if (baseArch.Count != arch.Count)
            throw new UserInputException($"The official GLiT lists differ in length: {baseArch.Count} base_arch entries, {arch.Count} arch entries.");
        int[] kernels = [17, 31, 45], localExpansions = [1, 2, 4];
        float[] globalExpansions = [0.5f, 1f, 2f], mlpRatios = [2f, 4f, 6f];
        var layers = new GlitLayerConfig[baseArch.Count];
        for (int i = 0; i < layers.Length; i++)
        {
            int g = baseArch[i], a = arch[i];
            if (g < 0 || g > 3 || a < 0 || a > 8)
                throw new UserInputException($"Official GLiT layer {i} has base_arch {g} (must be 0..3) and arch {a} (must be 0..8).");
            int row = a / 3, col = a % 3;
            layers[i] = g switch
            {
                0 => new GlitLayerConfig { GlobalHeads = 0, LocalHeads = 3, Kernel = kernels[row], LocalExpansion = localExpansions[col], MlpRatio = defaultMlpRatio },
                3 => new GlitLayerConfig { GlobalHeads = 3, LocalHeads = 0, GlobalExpansion = globalExpansions[row], MlpRatio = mlpRatios[col] },
                _ => new GlitLayerConfig { GlobalHeads = g, LocalHeads = 3 - g, LocalExpansion = localExpansions[row], Kernel = 31, MlpRatio = mlpRatios[col] },
            };
        }
        return layers;
    }

    private static ModelEntry Entry(string name, GlitConfig config) =>
        new(name, "GLiT", ModelInput.ImageNet, o => new Glit(config, o), o => Glit.Profile(name, config, o));
}
