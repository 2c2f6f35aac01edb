using System.Text.Json.Nodes;

namespace FormerSearch.Search;

/// <summary>A search algorithm: deterministic given its seed and the evaluator's results, so a study can replay it.</summary>
public interface ISearchAlgorithm
{
    /// <summary>Which algorithm it is; its name (<see cref="KindNames"/>) is recorded in the study and names its runs by default.</summary>
    SearchAlgorithmKind Kind { get; }

    /// <summary>Its seed.</summary>
    ulong Seed { get; }

    /// <summary>Its settings as JSON (with the seed), recorded in the study so a resume with other settings is refused.</summary>
    JsonObject Settings { get; }

    /// <summary>Runs (or resumes) the search as run <paramref name="runName"/> (default: the name of its <see cref="Kind"/>) of the context's study.</summary>
    SearchResult Run(SearchContext context, string? runName = null);
}
