namespace FormerSearch.Engine.Nn;

/// <summary>
/// A layer that keeps running statistics in training mode (batch norm). Supernet evaluation re-estimates them for
/// each subnet on a few training batches (as SPOS does), since the supernet's statistics mix every subnet's.
/// </summary>
public interface IRunningStatistics
{
    /// <summary>Running mean 0, variance 1, no batches seen (PyTorch's <c>reset_running_stats</c>).</summary>
    void ResetRunningStats();

    /// <summary>
    /// When set, training forwards update the running statistics as a plain average of every batch seen since the
    /// reset (PyTorch's <c>momentum=None</c>) instead of an exponential one.
    /// </summary>
    bool CumulativeAverage { get; set; }
}
