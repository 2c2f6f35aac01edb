using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Spaces;

/// <summary>Every search space by name, each with its presets (the paper's values and a small <c>mini</c> preset).</summary>
public static class SearchSpaces
{
    private static readonly Dictionary<string, SpaceEntry> ByName = Build();

    /// <summary>Registered space names.</summary>
    public static IReadOnlyList<string> Names { get; } = ByName.Keys.ToArray();

    /// <summary>The registered spaces.</summary>
    public static IReadOnlyList<SpaceEntry> Entries { get; } = ByName.Values.ToArray();

    /// <summary>Space <paramref name="name"/> with preset <paramref name="preset"/> (its default preset when null).</summary>
    /// <exception cref="UserInputException">Unknown space or preset; the message lists the known ones.</exception>
    public static ISearchSpace Create(string name, string? preset = null)
    {
        if (!ByName.TryGetValue(name, out var entry))
            throw new UserInputException($"Unknown search space {InputText.Quote(name)}; known spaces: {string.Join(", ", Names)}.");
        preset ??= entry.DefaultPreset;
        if (!entry.Presets.Contains(preset))
            throw new UserInputException($"Search space {name} has no preset {InputText.Quote(preset)}; its presets: {string.Join(", ", entry.Presets)}.");
        return entry.Create(preset);
    }

    private static Dictionary<string, SpaceEntry> Build()
    {
        var entries = new Dictionary<string, SpaceEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in new SpaceEntry[]
        {
            new(AutoFormerSpace.SpaceName, AutoFormerSpacePresets.Names, "mini", AutoFormerSpace.Create),
            new(BurgerSpace.SpaceName, BurgerSpace.PresetNames, "mini", p => new BurgerSpace(p)),
            new(GlitSpace.SpaceName, GlitSpace.PresetNames, "mini", p => new GlitSpace(p)),
        })
        {
            entries.Add(entry.Name, entry);
        }
        return entries;
    }
}
