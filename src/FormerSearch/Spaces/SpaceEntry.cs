namespace FormerSearch.Spaces;

/// <summary>A registered search space: its name, presets, default preset and factory.</summary>
public sealed record SpaceEntry(string Name, IReadOnlyList<string> Presets, string DefaultPreset, Func<string, ISearchSpace> Create);
