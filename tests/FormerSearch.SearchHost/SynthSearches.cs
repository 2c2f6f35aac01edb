using FormerSearch.Search;

namespace FormerSearch.Tests.Search;

/// <summary>Settings shared by the study tests and the host process they kill.</summary>
public static class SynthSearches
{
    /// <summary>A MACs budget about half the largest architecture's.</summary>
    public static Constraints Budget { get; } = new() { Macs = new CostWindow(null, 4_000_000) };

    /// <summary>A small evolution: 6 generations of 30.</summary>
    public static EvolutionSettings Small { get; } = new() { Generations = 6, Population = 30, Parents = 8, Mutations = 12, Crossovers = 12 };
}
