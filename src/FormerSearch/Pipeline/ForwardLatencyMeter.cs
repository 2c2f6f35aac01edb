using FormerSearch.Engine;
using FormerSearch.Inference;
using FormerSearch.Models;
using FormerSearch.Search;
using FormerSearch.Spaces;

namespace FormerSearch.Pipeline;

/// <summary>Latency as milliseconds of an eval-mode forward of the standalone model on a batch, measured on this machine (median pass).</summary>
public sealed class ForwardLatencyMeter(ISearchSpace space, ModelOptions options, int batchSize) : ILatencyMeter
{
    /// <inheritdoc/>
    public string Unit => $"ms per eval-mode forward of {batchSize} image(s) at {options.Input}, {EngineSettings.Threads} thread(s)";

    /// <inheritdoc/>
    public double Measure(Architecture architecture)
    {
        var model = space.CreateModel(architecture, options);
        return 1000.0 * ForwardTimer.MedianSeconds(model, batchSize, minSeconds: 0.2, minRuns: 5);
    }
}
