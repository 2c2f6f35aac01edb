namespace FormerSearch.Training;

/// <summary>Progress nobody watches.</summary>
public sealed class SilentProgress : ITrainingProgress
{
    /// <summary>The one instance.</summary>
    public static SilentProgress Instance { get; } = new();

    private SilentProgress() { }

    /// <inheritdoc/>
    public void EpochStarted(int epoch, int epochs, int startBatch, int batches) { }

    /// <inheritdoc/>
    public void StepCompleted(int batch, double loss, double top1, double learningRate, double imagesPerSecond) { }

    /// <inheritdoc/>
    public void EpochCompleted(EpochMetrics metrics) { }
}
