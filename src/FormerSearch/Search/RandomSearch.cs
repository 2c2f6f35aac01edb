using FormerSearch.Engine;

namespace FormerSearch.Search;

/// <summary>Random search: distinct architectures drawn with the space's own sampler until the budget is evaluated.</summary>
public sealed class RandomSearch : SearchAlgorithm<RandomSearchSettings>
{
    /// <summary>A random search with <paramref name="settings"/> and <paramref name="seed"/>.</summary>
    /// <exception cref="UserInputException">Invalid settings.</exception>
    public RandomSearch(RandomSearchSettings? settings = null, ulong seed = 0) : base(SearchAlgorithmKind.Random, settings, seed)
    {
    }

    /// <inheritdoc/>
    protected override (IReadOnlyList<Candidate> Top, IReadOnlyList<double> BestPerGeneration) Search(SearchContext context, CandidatePool pool)
    {
        var rng = new Generator(Seed);
        var top = new List<Candidate>();
        var best = new List<double>();
        for (int batch = 0, drawn = 0; drawn < Options.Budget; batch++)
        {
            int wanted = Math.Min(Options.BatchSize, Options.Budget - drawn);
            var population = new List<Candidate>(wanted);
            int limit = wanted * Options.AttemptsPerCandidate;
            for (int attempt = 0; population.Count < wanted; attempt++)
            {
                if (attempt >= limit)
                    throw new UserInputException($"Only {drawn + population.Count} of the {Options.Budget} candidates of the random search could be drawn: " +
                        $"too few architectures of {context.Space.Name}/{context.Space.Preset} not yet evaluated meet the constraints; loosen them or lower the budget.");
                if (pool.TryAdmit(context.Space.Sample(rng), batch, "random", []) is { } c) population.Add(c);
            }
            drawn += wanted;
            pool.Evaluate(population, batch);
            top = Evolution.TopByAccuracy(top, population, Options.TopK);
            best.Add(top[0].Accuracy);
            pool.EndGeneration(batch, population, top);
        }
        return (top, best);
    }
}
