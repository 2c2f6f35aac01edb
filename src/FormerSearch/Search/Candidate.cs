using FormerSearch.Spaces;

namespace FormerSearch.Search;

/// <summary>
/// An architecture admitted by a search run: its costs, where it came from, and (once evaluated) its accuracies. Mutable only
/// in the accuracies, which the run fills in when the study returns them.
/// </summary>
public sealed class Candidate
{
    /// <summary>A candidate of <paramref name="architecture"/> (canonical form) with its costs and origin.</summary>
    public Candidate(Architecture architecture, long paramsCount, long macs, double? latency, int generation, string origin, IReadOnlyList<string> parents)
    {
        Architecture = architecture;
        Params = paramsCount;
        Macs = macs;
        Latency = latency;
        Generation = generation;
        Origin = origin;
        Parents = parents;
    }

    /// <summary>The architecture, in the space's canonical form.</summary>
    public Architecture Architecture { get; }

    /// <summary>Its canonical key.</summary>
    public string Key => Architecture.Key;

    /// <summary>Parameters of the standalone model.</summary>
    public long Params { get; }

    /// <summary>MACs per image.</summary>
    public long Macs { get; }

    /// <summary>Measured latency, when a meter is in use.</summary>
    public double? Latency { get; }

    /// <summary>The generation (evolution), batch (random search) or stage-and-generation (hierarchical) that drew it.</summary>
    public int Generation { get; }

    /// <summary>How it was drawn: <c>random</c>, <c>mutation</c>, <c>crossover</c>.</summary>
    public string Origin { get; }

    /// <summary>Keys of the parents (none for random draws).</summary>
    public IReadOnlyList<string> Parents { get; }

    /// <summary>Validation accuracy, once evaluated.</summary>
    public double? ValidationAccuracy { get; internal set; }

    /// <summary>Test accuracy, for the final top-k when the evaluator has a test set.</summary>
    public double? TestAccuracy { get; internal set; }

    /// <summary>Validation accuracy, or an exception when the candidate was never evaluated.</summary>
    internal double Accuracy => ValidationAccuracy ?? throw new InvalidOperationException($"Candidate {Key} has not been evaluated.");
}
