using FormerSearch.Engine.Optim.Schedules;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Optim;

public sealed class ScheduleTests
{
    [Fact]
    public void Cosine_with_warmup_matches_hand_computed_values()
    {
        // timm CosineLRScheduler(t_initial=100, lr_min=1e-5, warmup_t=5, warmup_lr_init=1e-6), base lr 1e-3.
        var s = new CosineWithWarmup(1e-3, 100, warmupSteps: 5, warmupLr: 1e-6, minLr: 1e-5);
        Assert.Equal(1e-6, s.LearningRate(0), 15);
        Assert.Equal(1e-6 + 2 * (1e-3 - 1e-6) / 5, s.LearningRate(2), 15);
        Assert.Equal(1e-6 + 2.5 * (1e-3 - 1e-6) / 5, s.LearningRate(2.5), 15);
        // After the warm-up timm (warmup_prefix=False) evaluates the cosine at t itself.
        Assert.Equal(1e-5 + 0.5 * (1e-3 - 1e-5) * (1 + Math.Cos(Math.PI * 5 / 100)), s.LearningRate(5), 15);
        Assert.Equal(1e-5 + 0.5 * (1e-3 - 1e-5), s.LearningRate(50), 15);
        Assert.Equal(1e-5, s.LearningRate(100), 15);
        Assert.Equal(1e-5, s.LearningRate(250), 15);
        var prefixed = new CosineWithWarmup(1e-3, 100, warmupSteps: 5, warmupLr: 1e-6, minLr: 1e-5, warmupPrefix: true);
        Assert.Equal(1e-3, prefixed.LearningRate(5), 15);
        Assert.Equal(1e-5 + 0.5 * (1e-3 - 1e-5), prefixed.LearningRate(55), 15);
        Assert.Equal(1e-5, prefixed.LearningRate(105), 15);
        var plain = new CosineWithWarmup(0.1, 10);
        Assert.Equal(0.1, plain.LearningRate(0), 15);
        Assert.Throws<ArgumentException>(() => new CosineWithWarmup(0.1, 0));
    }

    [Fact]
    public void Step_lr_matches_torch()
    {
        var torch = Golden.Load("optim")["steplr"].ToArray();
        var s = new StepLr(0.1, stepSize: 3, gamma: 0.5);
        var ours = new float[torch.Length];
        for (int e = 0; e < ours.Length; e++) ours[e] = (float)s.LearningRate(e);
        Assert.Equal(torch, ours);
        Assert.Equal(0.05, s.LearningRate(5.9), 15);
        Assert.Throws<ArgumentException>(() => new StepLr(0.1, 0));
    }
}
