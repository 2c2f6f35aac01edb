using FormerSearch.Inference;
using FormerSearch.Models;

namespace FormerSearch.Bench;

/// <summary>Throughput of eval-mode, gradient-free forward passes (<c>former bench infer</c>): what serving a model would cost on this machine.</summary>
public static class InferenceBenchmark
{
    /// <summary>
    /// Images per second of <paramref name="model"/>'s eval-mode forward on a random batch of <paramref name="batchSize"/>
    /// images, from the median pass of <see cref="ForwardTimer.MedianSeconds"/> (one warm-up pass, then passes over at
    /// least <paramref name="minSeconds"/> and <paramref name="minRuns"/> runs).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="batchSize"/> or <paramref name="minRuns"/> is below 1, or <paramref name="minSeconds"/> is negative.</exception>
    public static double ImagesPerSecond(VisionModel model, int batchSize, double minSeconds = 1.0, int minRuns = 3, ulong seed = 0) =>
        batchSize / ForwardTimer.MedianSeconds(model, batchSize, minSeconds, minRuns, seed);
}
