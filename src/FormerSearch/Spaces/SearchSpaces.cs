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
    /// <exception cref="ArgumentException">Unknown space or preset; the message lists the known ones.</exception>
    public static ISearchSpace Create(string name, string? preset = null)
    {
        if (!ByName.TryGetValue(name, out var entry))
            throw new ArgumentException($"Unknown search space '{name}'; known spaces: {string.Join(", ", Names)}.");
        preset ??= entry.DefaultPreset;
        if (!entry.Presets.Contains(preset))
            throw new ArgumentException($"Search space {name} has no preset '{preset}'; its presets: {string.Join(", ", entry.Presets)}.");
        return entry.Create(preset);
    }

    private static Dictionary<string, SpaceEntry> Build()
    {
        var entries = new Dictionary<string, SpaceEntry>(StringComparer.OrdinalIgnoreCase);
        entries["autoformer"] = new SpaceEntry("autoformer", AutoFormerSpacePresets.Names, "mini", AutoFormerSpace.Create);
        entries.Add(BurgerSpace.SpaceName, new SpaceEntry(BurgerSpace.SpaceName, BurgerSpace.PresetNames, "mini", p => new BurgerSpace(p)));
        entries[GlitSpace.SpaceName] = new SpaceEntry(GlitSpace.SpaceName, ["imagenet", "mini"], "mini", p => new GlitSpace(p));
        return entries;
    }
}
