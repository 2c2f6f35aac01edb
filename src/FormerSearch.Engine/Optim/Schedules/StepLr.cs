namespace FormerSearch.Engine.Optim.Schedules;

/// <summary>
/// Step decay as <c>torch.optim.lr_scheduler.StepLR</c>: <c>baseLr · γ^⌊t / stepSize⌋</c>.
/// </summary>
public sealed class StepLr : ILrSchedule
{
    private readonly double _baseLr;
    private readonly int _stepSize;
    private readonly double _gamma;

    /// <summary>Multiplies <paramref name="baseLr"/> by <paramref name="gamma"/> every <paramref name="stepSize"/> epochs (or steps).</summary>
    /// <exception cref="ArgumentException"><paramref name="stepSize"/> is not positive.</exception>
    public StepLr(double baseLr, int stepSize, double gamma = 0.1)
    {
        if (stepSize <= 0) throw new ArgumentException($"StepLr needs a positive step size, got {stepSize}.", nameof(stepSize));
        _baseLr = baseLr;
        _stepSize = stepSize;
        _gamma = gamma;
    }

    /// <inheritdoc/>
    public double LearningRate(double t) => _baseLr * Math.Pow(_gamma, Math.Floor(t / _stepSize));
}
