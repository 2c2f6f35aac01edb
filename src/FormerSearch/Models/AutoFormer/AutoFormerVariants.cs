namespace FormerSearch.Models;

/// <summary>
/// The registered AutoFormer subnets: the published AutoFormer-T/S/B (official
/// <c>experiments/subnet/AutoFormer-{T,S,B}.yaml</c>, section RETRAIN), each its width and per-layer heads and MLP ratios.
/// </summary>
public static class AutoFormerVariants
{
    /// <summary>Registry entries, in order.</summary>
    public static IEnumerable<ModelEntry> All()
    {
        yield return Entry("autoformer_tiny", new()
        {
            EmbedDim = 192,
            NumHeads = [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 3, 3],
            MlpRatios = [3.5f, 3.5f, 3.0f, 3.5f, 3.0f, 3.0f, 4.0f, 4.0f, 3.5f, 4.0f, 3.5f, 4.0f, 3.5f],
        });
        yield return Entry("autoformer_small", new()
        {
            EmbedDim = 384,
            NumHeads = [6, 6, 5, 7, 5, 5, 5, 6, 6, 7, 7, 6, 7],
            MlpRatios = [3.0f, 3.5f, 3.0f, 3.5f, 4.0f, 4.0f, 4.0f, 4.0f, 4.0f, 4.0f, 4.0f, 3.5f, 4.0f],
        });
        yield return Entry("autoformer_base", new()
        {
            EmbedDim = 576,
            NumHeads = [9, 9, 9, 9, 9, 10, 9, 9, 10, 9, 10, 9, 9, 10],
            MlpRatios = [3.5f, 3.5f, 4.0f, 3.5f, 4.0f, 3.5f, 3.5f, 3.0f, 4.0f, 4.0f, 3.0f, 4.0f, 3.0f, 3.5f],
        });
    }

    /// <summary>The registry entry of AutoFormer subnet <paramref name="config"/> under <paramref name="name"/>.</summary>
    public static ModelEntry Entry(string name, AutoFormerConfig config) =>
        new(name, "AutoFormer", ModelInput.ImageNet, o => new AutoFormer(config, o), o => AutoFormer.Profile(name, config, o));
}
