namespace FormerSearch.Training;

/// <summary>Where a run stands: the next batch to train and what the unfinished epoch has summed so far.</summary>
/// <param name="Epoch">0-based epoch of the next batch.</param>
/// <param name="Batch">0-based index of the next batch within <paramref name="Epoch"/>.</param>
/// <param name="Step">Optimiser steps done.</param>
/// <param name="EpochLossSum">Sum of the unfinished epoch's batch losses.</param>
/// <param name="EpochHits">Top-1 hits of the unfinished epoch's batches.</param>
/// <param name="EpochImages">Images of the unfinished epoch's batches.</param>
/// <param name="MetricsLines">
/// Lines of <c>metrics.jsonl</c> written by then (null: not known, a checkpoint of an older version). A line is appended
/// before the checkpoint that counts it, so on resume the log holds at least these; later lines are from work the
/// resumed run redoes, and are dropped.
/// </param>
public sealed record TrainingPosition(int Epoch, int Batch, int Step, double EpochLossSum, long EpochHits, long EpochImages, int? MetricsLines = 0)
{
    /// <summary>The start of a fresh run.</summary>
    public static TrainingPosition Start { get; } = new(0, 0, 0, 0, 0, 0);
}
