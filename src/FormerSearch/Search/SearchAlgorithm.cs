using System.Text.Json.Nodes;

namespace FormerSearch.Search;

/// <summary>
/// What every search algorithm shares: its settings, checked when it is built (the type's defaults when none are given),
/// its seed, and the frame of a run — start (or resume) the run in the study, search, test the best
/// <see cref="ISearchSettings.TestTopK"/>, record the result. An algorithm writes only its <see cref="Search"/>.
/// </summary>
/// <typeparam name="TSettings">The algorithm's settings record.</typeparam>
public abstract class SearchAlgorithm<TSettings> : ISearchAlgorithm where TSettings : class, ISearchSettings, new()
{
    /// <summary>An algorithm of kind <paramref name="kind"/> with <paramref name="settings"/> (default: <typeparamref name="TSettings"/>'s defaults) and <paramref name="seed"/>.</summary>
    /// <exception cref="Engine.UserInputException">Invalid settings.</exception>
    protected SearchAlgorithm(SearchAlgorithmKind kind, TSettings? settings, ulong seed)
    {
        Kind = kind;
        Options = settings ?? new TSettings();
        Options.Validate();
        Seed = seed;
    }

    /// <inheritdoc/>
    public SearchAlgorithmKind Kind { get; }

    /// <inheritdoc/>
    public ulong Seed { get; }

    /// <inheritdoc/>
    public JsonObject Settings => Options.ToJson();

    /// <summary>The settings, checked.</summary>
    protected TSettings Options { get; }

    /// <inheritdoc/>
    public SearchResult Run(SearchContext context, string? runName = null)
    {
        CheckSpace(context.Space);
        var pool = CandidatePool.Begin(context, this, runName, Options.Budget);
        var (top, bestPerGeneration) = Search(context, pool);
        pool.Test(top.Take(Options.TestTopK).ToList());
        return pool.Finish(new SearchResult(pool.Run, Kind, top, bestPerGeneration, pool.Evaluated));
    }

    /// <summary>Throws before anything is written to the study when the algorithm cannot search <paramref name="space"/>; by default it can search any.</summary>
    /// <exception cref="Engine.UserInputException">The space lacks what the algorithm needs.</exception>
    protected virtual void CheckSpace(Spaces.ISearchSpace space)
    {
    }

    /// <summary>Draws and evaluates the candidates through <paramref name="pool"/>; returns the result's candidates, best first, and the best validation accuracy after each generation.</summary>
    protected abstract (IReadOnlyList<Candidate> Top, IReadOnlyList<double> BestPerGeneration) Search(SearchContext context, CandidatePool pool);
}
