namespace FormerSearch.Training;

/// <summary>The loss became NaN or infinite; training stopped before the step was applied, the last checkpoint is intact.</summary>
public sealed class TrainingDivergedException(int step, int epoch, float loss)
    : Exception($"Training diverged at step {step} (epoch {epoch + 1}): the loss is {loss}; the last checkpoint is intact (lower --lr or add --clip-grad).")
{
    /// <summary>The optimiser step (0-based) whose loss was not finite.</summary>
    public int Step { get; } = step;
}
