using FormerSearch.Spaces;

namespace FormerSearch.Search;

/// <summary>
/// Measures an architecture's latency (the pipeline: a timed eval-mode forward of the standalone model at the meter's batch
/// size). Measured once per architecture and study: the first stored value is the one every worker and every resume uses,
/// so a search stays deterministic even though timings are not.
/// </summary>
public interface ILatencyMeter
{
    /// <summary>What the number means, recorded with the study (e.g. "ms per batch of 64, 2 threads").</summary>
    string Unit { get; }

    /// <summary>The latency of <paramref name="architecture"/>, in <see cref="Unit"/>.</summary>
    double Measure(Architecture architecture);
}
