namespace FormerSearch.Engine.Optim.Schedules;

/// <summary>
/// Cosine decay with linear warm-up, as timm's <c>CosineLRScheduler</c> (one cycle, no noise, no
/// restarts). For t &lt; warmup: <c>warmupLr + t·(baseLr − warmupLr)/warmup</c>. Afterwards, with
/// <c>u = t</c> (timm's default) or <c>u = t − warmup</c> when <paramref name="warmupPrefix"/> is set:
/// <c>minLr + ½(baseLr − minLr)(1 + cos(π·u/total))</c> while <c>u &lt; total</c>, then <c>minLr</c>.
/// </summary>
/// <param name="baseLr">Peak learning rate.</param>
/// <param name="totalSteps">timm's <c>t_initial</c>: length of the cosine (in the schedule's unit).</param>
/// <param name="warmupSteps">timm's <c>warmup_t</c> (0 for none).</param>
/// <param name="warmupLr">timm's <c>warmup_lr_init</c>.</param>
/// <param name="minLr">timm's <c>lr_min</c>.</param>
/// <param name="warmupPrefix">timm's <c>warmup_prefix</c>: start the cosine after the warm-up instead of counting it in.</param>
public sealed class CosineWithWarmup(double baseLr, double totalSteps, double warmupSteps = 0, double warmupLr = 0, double minLr = 0, bool warmupPrefix = false) : ILrSchedule
{
    private readonly double _baseLr = baseLr;
    private readonly double _total = totalSteps > 0 ? totalSteps : throw new ArgumentException($"CosineWithWarmup needs a positive length, got {totalSteps}.", nameof(totalSteps));
    private readonly double _warmup = warmupSteps >= 0 ? warmupSteps : throw new ArgumentException($"CosineWithWarmup needs a non-negative warm-up, got {warmupSteps}.", nameof(warmupSteps));

    /// <inheritdoc/>
    public double LearningRate(double t)
    {
        if (t < _warmup) return warmupLr + t * (_baseLr - warmupLr) / _warmup;
        double u = warmupPrefix ? t - _warmup : t;
        if (u >= _total) return minLr;
        return minLr + 0.5 * (_baseLr - minLr) * (1 + Math.Cos(Math.PI * u / _total));
    }
}
