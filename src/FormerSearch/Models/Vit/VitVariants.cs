namespace FormerSearch.Models;

/// <summary>The registered ViT variants: DeiT Tiny/Small/Base (timm's <c>deit_*_patch16_224</c>), each its width and heads.</summary>
public static class VitVariants
{
    /// <summary>Registry entries, in order.</summary>
    public static IEnumerable<ModelEntry> All()
    {
        yield return Entry("deit_tiny", new() { EmbedDim = 192, NumHeads = 3 });
        yield return Entry("deit_small", new() { EmbedDim = 384, NumHeads = 6 });
        yield return Entry("deit_base", new() { EmbedDim = 768, NumHeads = 12 });
    }

    private static ModelEntry Entry(string name, VitConfig config) =>
        new(name, "DeiT", ModelInput.ImageNet, o => new Vit(config, o), o => Vit.Profile(name, config, o));
}
