using System.Text.Json.Nodes;
using FormerSearch.Engine;

namespace FormerSearch.Search;

/// <summary>Random search: the baseline, with the same evaluation budget as the evolution it is compared with.</summary>
public sealed record RandomSearchSettings : ISearchSettings
{
    /// <summary>Distinct architectures evaluated (default: the evolution's 50 × 20).</summary>
    public int Budget { get; init; } = 1000;

    /// <summary>Candidates per batch: a batch is evaluated at once (by several workers) and is one point of the per-generation chart (default: the evolution's population).</summary>
    public int BatchSize { get; init; } = 50;

    /// <summary>Draws allowed per wanted candidate before the search gives up with an error.</summary>
    public int AttemptsPerCandidate { get; init; } = 200;

    /// <summary>Candidates reported as the result, best first.</summary>
    public int TopK { get; init; } = 50;

    /// <summary>Candidates of the result that get a test accuracy at the end, when the evaluator has a test set.</summary>
    public int TestTopK { get; init; } = 5;

    /// <summary>Checks every number.</summary>
    /// <exception cref="UserInputException">A count is not positive.</exception>
    public void Validate()
    {
        if (Budget < 1 || BatchSize < 1 || AttemptsPerCandidate < 1 || TopK < 1 || TestTopK < 0)
            throw new UserInputException($"Random search needs a positive budget ({Budget}), batch size ({BatchSize}), attempts per candidate ({AttemptsPerCandidate}) and top-k ({TopK}).");
        if (Budget > ISearchSettings.MaxEvaluations)
            throw new UserInputException($"A random search of {Budget:N0} candidates is more than the {ISearchSettings.MaxEvaluations:N0} evaluations a search may plan.");
    }

    /// <summary>The settings as JSON.</summary>
    public JsonObject ToJson() => new()
    {
        ["budget"] = Budget,
        ["batch_size"] = BatchSize,
        ["attempts_per_candidate"] = AttemptsPerCandidate,
        ["top_k"] = TopK,
        ["test_top_k"] = TestTopK,
    };

    /// <summary>The settings that match <paramref name="evolution"/>'s budget and population.</summary>
    public static RandomSearchSettings MatchingBudget(EvolutionSettings evolution) =>
        new() { Budget = evolution.Budget, BatchSize = evolution.Population, TopK = evolution.TopK, TestTopK = evolution.TestTopK };
}
