using FormerSearch.Inference;
using FormerSearch.Models;

namespace FormerSearch.Tests.Inference;

public sealed class StepTimerTests
{
    [Fact]
    public void The_median_is_the_middle_value_or_the_mean_of_the_middle_two()
    {
        Assert.Equal(3.0, StepTimer.Median([5.0, 1.0, 3.0]));
        Assert.Equal(2.5, StepTimer.Median([4.0, 1.0, 3.0, 2.0]));
        Assert.Throws<ArgumentException>(() => StepTimer.Median([]));
    }

    [Fact]
    public void Warm_up_runs_are_untimed_and_at_least_the_minimum_runs_are_timed()
    {
        int calls = 0;
        double seconds = StepTimer.MedianSeconds(() => { calls++; Thread.Sleep(2); }, warmup: 3, minSeconds: 0, minRuns: 4);
        Assert.Equal(3 + 4, calls);
        Assert.InRange(seconds, 0.0015, 1.0);
        Assert.Throws<ArgumentException>(() => StepTimer.MedianSeconds(() => { }, warmup: 0, minSeconds: 0, minRuns: 0));
        Assert.Throws<ArgumentException>(() => StepTimer.MedianSeconds(() => { }, warmup: -1, minSeconds: 0, minRuns: 1));
    }

    [Fact]
    public void A_forward_pass_takes_a_positive_time_and_leaves_the_model_in_eval_mode()
    {
        var model = ModelRegistry.Create("poolformer_mini", ModelOptions.For(new ModelInput(1, 28, 28), 10));
        double seconds = ForwardTimer.MedianSeconds(model, batchSize: 2, minSeconds: 0, minRuns: 2);
        Assert.True(seconds > 0 && double.IsFinite(seconds));
        Assert.False(model.Training);
        Assert.Throws<ArgumentException>(() => ForwardTimer.MedianSeconds(model, batchSize: 0, minSeconds: 0, minRuns: 1));
    }
}
