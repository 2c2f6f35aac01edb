using FormerSearch.Engine;
using FormerSearch.Models.Profiling;

namespace FormerSearch.Models;

/// <summary>
/// Every model of the zoo by name (timm's registry). Families register their variants here, one line
/// each; tests loop over <see cref="Entries"/>, so a model is tested the moment it is registered.
/// </summary>
public static class ModelRegistry
{
    private static readonly Dictionary<string, ModelEntry> ByName = Build();

    /// <summary>All registered models, in registration order (families grouped).</summary>
    public static IReadOnlyList<ModelEntry> Entries { get; } = ByName.Values.ToArray();

    /// <summary>Registered names, in registration order.</summary>
    public static IReadOnlyList<string> Names { get; } = Entries.Select(e => e.Name).ToArray();

    /// <summary>The entry named <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="UserInputException">No model has that name; the message lists the known ones.</exception>
    public static ModelEntry Get(string name) =>
        ByName.TryGetValue(name, out var entry) ? entry
        : throw new UserInputException($"Unknown model '{name}'; known models: {string.Join(", ", Names)}.");

    /// <summary>True when <paramref name="name"/> is registered.</summary>
    public static bool Contains(string name) => ByName.ContainsKey(name);

    /// <summary>Builds model <paramref name="name"/> with <paramref name="options"/> (default options when null).</summary>
    /// <exception cref="UserInputException">Unknown name, or options the architecture cannot take.</exception>
    public static VisionModel Create(string name, ModelOptions? options = null) => Get(name).Create(options ?? new ModelOptions());

    /// <summary>Analytic params and MACs of model <paramref name="name"/> with <paramref name="options"/> (default options when null).</summary>
    /// <exception cref="UserInputException">Unknown name, or options the architecture cannot take.</exception>
    public static ModelProfile Profile(string name, ModelOptions? options = null) => Get(name).Profile(options ?? new ModelOptions());

    private static Dictionary<string, ModelEntry> Build()
    {
        var entries = new Dictionary<string, ModelEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var e in PoolFormerVariants.All()) entries.Add(e.Name, e);
        foreach (var e in VitVariants.All()) entries.Add(e.Name, e);
        foreach (var e in AutoFormerVariants.All()) entries.Add(e.Name, e);
        foreach (var e in GlitVariants.All()) entries.Add(e.Name, e);
        foreach (var e in BurgerFormerVariants.All()) entries.Add(e.Name, e);
        return entries;
    }
}
