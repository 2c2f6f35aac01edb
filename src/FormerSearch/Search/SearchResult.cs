using System.Text.Json.Nodes;

namespace FormerSearch.Search;

/// <summary>The outcome of a search run.</summary>
/// <param name="Run">The run's name in the study.</param>
/// <param name="Algorithm">The algorithm.</param>
/// <param name="Top">The best candidates by validation accuracy, best first (evolution: its top-k list; Pareto: the non-dominated set).</param>
/// <param name="BestPerGeneration">Best validation accuracy of the run after each generation (or batch).</param>
/// <param name="Evaluated">Candidates the run evaluated (distinct architectures).</param>
public sealed record SearchResult(string Run, SearchAlgorithmKind Algorithm, IReadOnlyList<Candidate> Top, IReadOnlyList<double> BestPerGeneration, int Evaluated)
{
    /// <summary>The best candidate.</summary>
    public Candidate Best => Top[0];

    /// <summary>A JSON summary (stored as the run's result in the study).</summary>
    public JsonObject ToJson()
    {
        var top = new JsonArray();
        foreach (var c in Top)
            top.Add(new JsonObject
            {
                ["key"] = c.Key,
                ["params"] = c.Params,
                ["macs"] = c.Macs,
                ["latency"] = c.Latency,
                ["val_acc"] = c.ValidationAccuracy,
                ["test_acc"] = c.TestAccuracy,
            });
        var best = new JsonArray();
        foreach (var b in BestPerGeneration) best.Add(b);
        return new JsonObject { ["run"] = Run, ["algorithm"] = KindNames.Of(Algorithm), ["evaluated"] = Evaluated, ["top"] = top, ["best_per_generation"] = best };
    }
}
