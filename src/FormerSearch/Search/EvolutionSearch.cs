using System.Text.Json.Nodes;
using FormerSearch.Engine;

namespace FormerSearch.Search;

/// <summary>
/// AutoFormer's evolutionary search (Alg. 2; official <c>evolution.py</c>): a random first population, then each generation
/// mutants and crossovers of the top parents plus random fill, the parents being the best validation accuracies seen so far.
/// </summary>
public sealed class EvolutionSearch : ISearchAlgorithm
{
    private readonly EvolutionSettings _settings;

    /// <summary>An evolution with <paramref name="settings"/> (default: the paper's) and <paramref name="seed"/>.</summary>
    /// <exception cref="FormerSearch.Engine.UserInputException">Invalid settings.</exception>
    public EvolutionSearch(EvolutionSettings? settings = null, ulong seed = 0)
    {
        _settings = settings ?? new EvolutionSettings();
        _settings.Validate();
        Seed = seed;
    }

    /// <inheritdoc/>
    public SearchAlgorithmKind Kind => SearchAlgorithmKind.Evolution;

    /// <inheritdoc/>
    public ulong Seed { get; }

    /// <inheritdoc/>
    public JsonObject Settings => _settings.ToJson();

    /// <inheritdoc/>
    public SearchResult Run(SearchContext context, string? runName = null)
    {
        var pool = CandidatePool.Begin(context, this, runName, _settings.Budget);
        var evolution = new Evolution(pool, _settings, new Generator(Seed));
        evolution.Run(firstGeneration: 0);
        pool.Test(evolution.Top.Take(_settings.TestTopK).ToList());
        return pool.Finish(new SearchResult(pool.Run, Kind, evolution.Top, evolution.BestPerGeneration, pool.Evaluated));
    }
}
