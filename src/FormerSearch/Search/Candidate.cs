using FormerSearch.Spaces;

namespace FormerSearch.Search;

/// <summary>
/// An architecture admitted by a search run: its costs, where it came from, and (once evaluated) its accuracies. Mutable only
/// in the accuracies, which the run fills in when the study returns them.
/// </summary>
/// <param name="architecture">The architecture, in the space's canonical form.</param>
/// <param name="paramsCount">Parameters of the standalone model.</param>
/// <param name="macs">MACs per image.</param>
/// <param name="latency">Measured latency, when a meter is in use.</param>
/// <param name="generation">The generation, batch or stage-and-generation that drew it.</param>
/// <param name="origin">How it was drawn.</param>
/// <param name="parents">Keys of the parents.</param>
public sealed class Candidate(Architecture architecture, long paramsCount, long macs, double? latency, int generation, string origin, IReadOnlyList<string> parents)
{
    /// <summary>The architecture, in the space's canonical form.</summary>
    public Architecture Architecture { get; } = architecture;

    /// <summary>Its canonical key.</summary>
    public string Key => Architecture.Key;

    /// <summary>Parameters of the standalone model.</summary>
    public long Params { get; } = paramsCount;

    /// <summary>MACs per image.</summary>
    public long Macs { get; } = macs;

    /// <summary>Measured latency, when a meter is in use.</summary>
    public double? Latency { get; } = latency;

    /// <summary>The generation (evolution), batch (random search) or stage-and-generation (hierarchical) that drew it.</summary>
    public int Generation { get; } = generation;

    /// <summary>How it was drawn: <c>random</c>, <c>mutation</c>, <c>crossover</c>.</summary>
    public string Origin { get; } = origin;

    /// <summary>Keys of the parents (none for random draws).</summary>
    public IReadOnlyList<string> Parents { get; } = parents;

    /// <summary>Validation accuracy, once evaluated.</summary>
    public double? ValidationAccuracy { get; internal set; }

    /// <summary>Test accuracy, for the final top-k when the evaluator has a test set.</summary>
    public double? TestAccuracy { get; internal set; }

    /// <summary>Validation accuracy, or an exception when the candidate was never evaluated.</summary>
    internal double Accuracy => ValidationAccuracy ?? throw new InvalidOperationException($"Candidate {Key} has not been evaluated.");

    /// <summary>
    /// <see cref="Accuracy"/> as every search ranks it: a NaN or infinite accuracy (a diverged subnet, a damaged study row)
    /// counts as −∞, so such a candidate sorts last and is dominated in every Pareto front instead of winning.
    /// </summary>
    internal double RankedAccuracy => double.IsFinite(Accuracy) ? Accuracy : double.NegativeInfinity;
}
