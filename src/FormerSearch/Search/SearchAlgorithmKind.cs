namespace FormerSearch.Search;

/// <summary>The search algorithms (<see cref="SearchAlgorithms.Create"/>); their names (<see cref="KindNames"/>) label runs in a study.</summary>
public enum SearchAlgorithmKind
{
    /// <summary>AutoFormer's evolution (<see cref="EvolutionSearch"/>).</summary>
    Evolution,

    /// <summary>Random search at the evolution's budget (<see cref="RandomSearch"/>).</summary>
    Random,

    /// <summary>GLiT's two-stage search: head distributions, then details (<see cref="HierarchicalSearch"/>).</summary>
    Hierarchical,

    /// <summary>Evolution ranking by Pareto fronts of accuracy and cost (<see cref="ParetoSearch"/>).</summary>
    Pareto,
}
