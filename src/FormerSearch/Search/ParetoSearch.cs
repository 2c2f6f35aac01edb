using System.Text.Json.Nodes;
using FormerSearch.Engine;

namespace FormerSearch.Search;

/// <summary>
/// Multi-objective evolution: AutoFormer's loop (mutation, crossover, random fill, constraints) with the parents chosen by
/// NSGA-II — non-dominated sorting of the previous parents and the new population, the last front cut by crowding
/// distance — over (validation accuracy ↑, MACs or params ↓, latency ↓ when measured). The result is the Pareto front
/// of everything evaluated, most accurate first.
/// </summary>
public sealed class ParetoSearch : ISearchAlgorithm
{
    private readonly ParetoSettings _settings;

    /// <summary>A Pareto search with <paramref name="settings"/> and <paramref name="seed"/>.</summary>
    /// <exception cref="FormerSearch.Engine.UserInputException">Invalid settings.</exception>
    public ParetoSearch(ParetoSettings? settings = null, ulong seed = 0)
    {
        _settings = settings ?? new ParetoSettings();
        _settings.Validate();
        Seed = seed;
    }

    /// <inheritdoc/>
    public SearchAlgorithmKind Kind => SearchAlgorithmKind.Pareto;

    /// <inheritdoc/>
    public ulong Seed { get; }

    /// <inheritdoc/>
    public JsonObject Settings => _settings.ToJson();

    /// <inheritdoc/>
    public SearchResult Run(SearchContext context, string? runName = null)
    {
        bool latency = context.LatencyMeter is not null;
        var pool = CandidatePool.Begin(context, this, runName, _settings.Evolution.Budget);
        var evolution = new Evolution(pool, _settings.Evolution, new Generator(Seed))
        {
            SelectParents = (previous, population, k) =>
            {
                var all = previous.Concat(population).ToList();
                var chosen = Pareto.Select(Objectives(all, latency), k);
                return chosen.Select(i => all[i]).ToList();
            },
        };
        evolution.Run(firstGeneration: 0);
        var front = Front(evolution.All, latency);
        pool.Test(front.Take(_settings.Evolution.TestTopK).ToList());
        return pool.Finish(new SearchResult(pool.Run, Kind, front, evolution.BestPerGeneration, pool.Evaluated));
    }

    /// <summary>The non-dominated candidates of <paramref name="candidates"/>, most accurate first (then cheapest).</summary>
    public List<Candidate> Front(IReadOnlyList<Candidate> candidates, bool withLatency)
    {
        var fronts = Pareto.NonDominatedSort(Objectives(candidates, withLatency));
        if (fronts.Count == 0) return [];
        return fronts[0].Select(i => candidates[i]).OrderByDescending(c => c.Accuracy).ThenBy(Cost).ToList();
    }

    private double Cost(Candidate c) => _settings.Cost == "params" ? c.Params : c.Macs;

    private List<IReadOnlyList<double>> Objectives(IReadOnlyList<Candidate> candidates, bool withLatency)
    {
        var list = new List<IReadOnlyList<double>>(candidates.Count);
        foreach (var c in candidates)
            list.Add(withLatency ? [-c.Accuracy, Cost(c), c.Latency ?? double.PositiveInfinity] : [-c.Accuracy, Cost(c)]);
        return list;
    }
}
