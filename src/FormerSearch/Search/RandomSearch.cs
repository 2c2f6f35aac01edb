using System.Text.Json.Nodes;
using FormerSearch.Engine;

namespace FormerSearch.Search;

/// <summary>Random search: distinct architectures drawn with the space's own sampler until the budget is evaluated.</summary>
public sealed class RandomSearch : ISearchAlgorithm
{
    private readonly RandomSearchSettings _settings;

    /// <summary>A random search with <paramref name="settings"/> and <paramref name="seed"/>.</summary>
    /// <exception cref="UserInputException">Invalid settings.</exception>
    public RandomSearch(RandomSearchSettings? settings = null, ulong seed = 0)
    {
        _settings = settings ?? new RandomSearchSettings();
        _settings.Validate();
        Seed = seed;
    }

    /// <inheritdoc/>
    public SearchAlgorithmKind Kind => SearchAlgorithmKind.Random;

    /// <inheritdoc/>
    public ulong Seed { get; }

    /// <inheritdoc/>
    public JsonObject Settings => _settings.ToJson();

    /// <inheritdoc/>
    public SearchResult Run(SearchContext context, string? runName = null)
    {
        var pool = CandidatePool.Begin(context, this, runName, _settings.Budget);
        var rng = new Generator(Seed);
        var top = new List<Candidate>();
        var best = new List<double>();
        for (int batch = 0, drawn = 0; drawn < _settings.Budget; batch++)
        {
            int wanted = Math.Min(_settings.BatchSize, _settings.Budget - drawn);
            var population = new List<Candidate>(wanted);
            int limit = wanted * _settings.AttemptsPerCandidate;
            for (int attempt = 0; population.Count < wanted; attempt++)
            {
                if (attempt >= limit)
                    throw new UserInputException($"Only {drawn + population.Count} of the {_settings.Budget} candidates of the random search could be drawn: " +
                        $"too few architectures of {context.Space.Name}/{context.Space.Preset} not yet evaluated meet the constraints; loosen them or lower the budget.");
                if (pool.TryAdmit(context.Space.Sample(rng), batch, "random", []) is { } c) population.Add(c);
            }
            drawn += wanted;
            pool.Evaluate(population, batch);
            top = Evolution.TopByAccuracy(top, population, _settings.TopK);
            best.Add(top[0].Accuracy);
            pool.EndGeneration(batch, population, top);
        }
        pool.Test(top.Take(_settings.TestTopK).ToList());
        return pool.Finish(new SearchResult(pool.Run, Kind, top, best, pool.Evaluated));
    }
}
