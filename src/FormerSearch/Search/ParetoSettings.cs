using System.Text.Json.Nodes;
using FormerSearch.Engine;

namespace FormerSearch.Search;

/// <summary>
/// Multi-objective search: the evolution's loop with NSGA-II parent selection over (validation accuracy ↑, cost ↓, and
/// latency ↓ when a latency meter is given); the result is the non-dominated set of every evaluated candidate.
/// </summary>
public sealed record ParetoSettings : ISearchSettings
{
    /// <summary>The evolution's numbers (population, generations, parents = survivors of NSGA-II selection, …).</summary>
    public EvolutionSettings Evolution { get; init; } = new();

    /// <summary>The cost objective: <c>macs</c> (default) or <c>params</c>.</summary>
    public string Cost { get; init; } = "macs";

    /// <summary>The evolution's evaluations at most.</summary>
    public int Budget => Evolution.Budget;

    /// <inheritdoc/>
    int ISearchSettings.TestTopK => Evolution.TestTopK;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="UserInputException">Invalid evolution settings or cost name.</exception>
    public void Validate()
    {
        Evolution.Validate();
        if (Cost is not ("macs" or "params")) throw new UserInputException($"The Pareto cost objective must be macs or params, not '{Cost}'.");
    }

    /// <summary>The settings as JSON.</summary>
    public JsonObject ToJson() => new() { ["evolution"] = Evolution.ToJson(), ["cost"] = Cost };
}
