using FormerSearch.Models;
using FormerSearch.Spaces;
using FormerSearch.Studies;

namespace FormerSearch.Search;

/// <summary>What a search algorithm works with: the space, the study that memoises everything, the evaluator, the budget.</summary>
public sealed class SearchContext
{
    /// <summary>The search space.</summary>
    public required ISearchSpace Space { get; init; }

    /// <summary>The study that records and memoises the run (a fresh or resumed one).</summary>
    public required Study Study { get; init; }

    /// <summary>Validation (and test) accuracy of an architecture.</summary>
    public required ICandidateEvaluator Evaluator { get; init; }

    /// <summary>Latency of an architecture; needed for a latency constraint or objective, else optional (then latency is not recorded).</summary>
    public ILatencyMeter? LatencyMeter { get; init; }

    /// <summary>Windows on params, MACs and latency.</summary>
    public Constraints Constraints { get; init; } = Constraints.None;

    /// <summary>Input and classes the costs are computed for; null: the space's default input and 10 classes.</summary>
    public ModelOptions? CostOptions { get; init; }

    /// <summary>Receives progress; called on the searching thread.</summary>
    public Action<SearchEvent>? Progress { get; init; }

    /// <summary>Continue the run if the study already has it (else that is an error).</summary>
    public bool Resume { get; init; }

    /// <summary>The options costs are computed with.</summary>
    public ModelOptions ResolvedCostOptions => CostOptions ?? ModelOptions.For(Space.DefaultInput, numClasses: 10);
}
