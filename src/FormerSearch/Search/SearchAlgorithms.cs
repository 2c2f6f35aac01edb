namespace FormerSearch.Search;

/// <summary>The search algorithms by kind, built from one evolution budget so that they compare at equal cost.</summary>
public static class SearchAlgorithms
{
    /// <summary>Their names: <c>evolution</c>, <c>random</c>, <c>hierarchical</c>, <c>pareto</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = KindNames.All<SearchAlgorithmKind>();

    /// <summary>
    /// Algorithm <paramref name="kind"/> with <paramref name="seed"/>, spending what <paramref name="evolution"/> (default: the
    /// paper's 50 × 20) spends: random search the same number of evaluations in batches of the population; the hierarchical
    /// search half the generations in each stage (at least one); the Pareto search the same loop, ranking by
    /// <paramref name="paretoCost"/> (<c>macs</c> or <c>params</c>) and latency when measured.
    /// </summary>
    /// <exception cref="Engine.UserInputException">Invalid settings.</exception>
    public static ISearchAlgorithm Create(SearchAlgorithmKind kind, ulong seed, EvolutionSettings? evolution = null, string paretoCost = "macs")
    {
        var e = evolution ?? new EvolutionSettings();
        return kind switch
        {
            SearchAlgorithmKind.Evolution => new EvolutionSearch(e, seed),
            SearchAlgorithmKind.Random => new RandomSearch(RandomSearchSettings.MatchingBudget(e), seed),
            SearchAlgorithmKind.Hierarchical => new HierarchicalSearch(new HierarchicalSettings
            {
                StageOne = e with { Generations = Math.Max(1, e.Generations / 2) },
                StageTwo = e with { Generations = Math.Max(1, e.Generations - e.Generations / 2) },
                TestTopK = e.TestTopK,
            }, seed),
            SearchAlgorithmKind.Pareto => new ParetoSearch(new ParetoSettings { Evolution = e, Cost = paretoCost }, seed),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a search algorithm."),
        };
    }
}
