namespace FormerSearch.Models;

/// <summary>
/// The registered BurgerFormer variants: the official <c>arch.py</c> dictionaries <c>burgerformer_tiny</c> …
/// <c>burgerformer_large</c>, read by <see cref="BurgerFormerArchFormat"/> from the literal text of that file
/// (kept verbatim in <c>BurgerFormerArchitectures</c>), so the presets are the official files, not a transcription.
/// </summary>
public static class BurgerFormerVariants
{
    /// <summary>Official name → architecture: tiny, small, base, large, and the search space's <c>min_arch</c> and <c>max_arch</c>.</summary>
    public static IReadOnlyDictionary<string, BurgerFormerConfig> Official { get; } = BurgerFormerArchFormat.ReadAll(BurgerFormerArchitectures.ArchPy, "BurgerFormer's arch.py");

    /// <summary>Registry entries, in order.</summary>
    public static IEnumerable<ModelEntry> All()
    {
        foreach (string name in new[] { "burgerformer_tiny", "burgerformer_small", "burgerformer_base", "burgerformer_large" })
        {
            var config = Official[name];
            yield return new ModelEntry(name, "BurgerFormer", ModelInput.ImageNet, o => new BurgerFormer(config, o), o => BurgerFormer.Profile(name, config, o));
        }
    }
}
