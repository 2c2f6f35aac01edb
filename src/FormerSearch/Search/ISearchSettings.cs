using System.Text.Json.Nodes;

namespace FormerSearch.Search;

/// <summary>The settings of a search algorithm: checked once when the algorithm is built, and recorded in the study as JSON.</summary>
public interface ISearchSettings
{
    /// <summary>Most evaluations a search may plan (each trains or evaluates a subnet: a million is weeks of work, and more overflows the counts).</summary>
    const int MaxEvaluations = 1_000_000;

    /// <summary>Evaluations the search makes at most.</summary>
    int Budget { get; }

    /// <summary>Candidates of the result that get a test accuracy at the end, when the evaluator has a test set.</summary>
    int TestTopK { get; }

    /// <summary>Checks every setting.</summary>
    /// <exception cref="Engine.UserInputException">A setting is invalid.</exception>
    void Validate();

    /// <summary>The settings as JSON.</summary>
    JsonObject ToJson();
}
