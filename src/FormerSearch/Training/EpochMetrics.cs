namespace FormerSearch.Training;

/// <summary>What one epoch did; one line of <c>metrics.jsonl</c>.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Step">Optimiser steps done so far, in all epochs.</param>
/// <param name="TrainLoss">Mean training loss of the epoch's steps (as optimised: smoothed or soft targets).</param>
/// <param name="TrainTop1">Top-1 of the training batches against their hard labels, in train mode, before each step.</param>
/// <param name="LearningRate">Learning rate of the epoch's last step.</param>
/// <param name="ImagesPerSecond">Training throughput of the epoch, all ranks together (this process's part of it when resumed).</param>
/// <param name="Seconds">Wall time of the epoch's steps in this process.</param>
/// <param name="Validation">Eval-mode result on the validation data, when there is some.</param>
public sealed record EpochMetrics(int Epoch, int Step, double TrainLoss, double TrainTop1, double LearningRate,
    double ImagesPerSecond, double Seconds, EvalResult? Validation)
{
    /// <summary>Processes that trained together (data-parallel ranks); 1 for one process.</summary>
    public int WorldSize { get; init; } = 1;
}
