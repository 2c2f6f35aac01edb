namespace FormerSearch.Engine.Optim.Schedules;

/// <summary>
/// A learning-rate schedule: a pure function from progress (steps or epochs, possibly fractional,
/// in whatever unit the schedule's lengths were given) to the learning rate. Apply it with
/// <see cref="Optimizer.SetLearningRate"/> before each step.
/// </summary>
public interface ILrSchedule
{
    /// <summary>The learning rate at progress <paramref name="t"/> (t ≥ 0).</summary>
    double LearningRate(double t);
}
