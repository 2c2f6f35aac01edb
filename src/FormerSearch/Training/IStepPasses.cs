namespace FormerSearch.Training;

/// <summary>
/// What a training step runs when it is more than one forward/backward pass on the same batch: a supernet sampler
/// activates one subnet per pass (sandwich: random, smallest, largest) and the gradients of all passes accumulate
/// into one optimiser step. Choices must depend only on the step number (and the sampler's own seed), so a resumed
/// run repeats them.
/// </summary>
public interface IStepPasses
{
    /// <summary>Forward/backward passes of step <paramref name="step"/>; at least 1.</summary>
    int PassesPerStep(int step);

    /// <summary>Prepares pass <paramref name="pass"/> of step <paramref name="step"/> (e.g. activates its subnet).</summary>
    void BeforePass(int step, int pass);

    /// <summary>
    /// Whether pass <paramref name="pass"/> (≥ 1) of step <paramref name="step"/> learns from the soft predictions of the
    /// step's first pass on the same images instead of from the labels (<see cref="InPlaceDistillation"/>: the first pass
    /// is then the step's largest subnet). By default no pass does.
    /// </summary>
    bool LearnsFromFirstPass(int step, int pass) => false;
}
