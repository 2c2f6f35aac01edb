namespace FormerSearch.Training;

/// <summary>What a trainer tells whoever watches it (a progress bar, log lines, nothing).</summary>
public interface ITrainingProgress
{
    /// <summary>Epoch <paramref name="epoch"/> (0-based) of <paramref name="epochs"/> starts at batch <paramref name="startBatch"/> of <paramref name="batches"/>.</summary>
    void EpochStarted(int epoch, int epochs, int startBatch, int batches);

    /// <summary>A step finished: batch <paramref name="batch"/> (0-based) of the current epoch.</summary>
    void StepCompleted(int batch, double loss, double top1, double learningRate, double imagesPerSecond);

    /// <summary>The epoch ended (after validation).</summary>
    void EpochCompleted(EpochMetrics metrics);
}
