using FormerSearch.Engine;

namespace FormerSearch.Search;

/// <summary>
/// Multi-objective evolution: AutoFormer's loop (mutation, crossover, random fill, constraints) with the parents chosen by
/// NSGA-II — non-dominated sorting of the previous parents and the new population, the last front cut by crowding
/// distance — over (validation accuracy ↑, MACs or params ↓, latency ↓ when measured). The result is the Pareto front
/// of everything evaluated, most accurate first.
/// </summary>
public sealed class ParetoSearch : SearchAlgorithm<ParetoSettings>
{
    /// <summary>A Pareto search with <paramref name="settings"/> and <paramref name="seed"/>.</summary>
    /// <exception cref="FormerSearch.Engine.UserInputException">Invalid settings.</exception>
    public ParetoSearch(ParetoSettings? settings = null, ulong seed = 0) : base(SearchAlgorithmKind.Pareto, settings, seed)
    {
    }

    /// <inheritdoc/>
    protected override (IReadOnlyList<Candidate> Top, IReadOnlyList<double> BestPerGeneration) Search(SearchContext context, CandidatePool pool)
    {
        bool latency = context.LatencyMeter is not null;
        var evolution = new Evolution(pool, Options.Evolution, new Generator(Seed))
        {
            SelectParents = (previous, population, k) =>
            {
                var all = previous.Concat(population).ToList();
                var chosen = Pareto.Select(Objectives(all, latency), k);
                return chosen.Select(i => all[i]).ToList();
            },
        };
        evolution.Run(firstGeneration: 0);
        return (Front(evolution.All, latency), evolution.BestPerGeneration);
    }

    /// <summary>The non-dominated candidates of <paramref name="candidates"/>, most accurate first (then cheapest).</summary>
    public List<Candidate> Front(IReadOnlyList<Candidate> candidates, bool withLatency)
    {
        var fronts = Pareto.NonDominatedSort(Objectives(candidates, withLatency));
        if (fronts.Count == 0) return [];
        return fronts[0].Select(i => candidates[i]).OrderByDescending(c => c.RankedAccuracy).ThenBy(Cost).ToList();
    }

    // Accuracy negated (objectives are minimised); a non-finite accuracy becomes NaN, which Pareto ranks in a last front of its own.
    private static double AccuracyObjective(Candidate c) => double.IsFinite(c.Accuracy) ? -c.Accuracy : double.NaN;

    private double Cost(Candidate c) => Options.Cost == "params" ? c.Params : c.Macs;

    private List<IReadOnlyList<double>> Objectives(IReadOnlyList<Candidate> candidates, bool withLatency)
    {
        var list = new List<IReadOnlyList<double>>(candidates.Count);
        foreach (var c in candidates)
            list.Add(withLatency ? [AccuracyObjective(c), Cost(c), c.Latency ?? double.PositiveInfinity] : [AccuracyObjective(c), Cost(c)]);
        return list;
    }
}
