using FormerSearch.Engine;
using FormerSearch.Training;

namespace FormerSearch.Tests.Training;

public sealed class TrainingOptionsTests
{
    [Fact]
    public void Each_optimiser_has_its_own_recipe()
    {
        Assert.Equal(new TrainingOptions(), TrainingOptions.For(OptimizerKind.AdamW));
        var adamw = TrainingOptions.For(OptimizerKind.AdamW);
        Assert.Equal((OptimizerKind.AdamW, 1e-3, 1e-5, 0.05, 1.0, 0.1f), (adamw.Optimizer, adamw.LearningRate, adamw.MinLearningRate, adamw.WeightDecay, adamw.WarmupEpochs, adamw.LabelSmoothing));
        var sgd = TrainingOptions.For(OptimizerKind.Sgd);
        Assert.Equal((OptimizerKind.Sgd, 0.1, 0.0, 0.9, 1e-4, 0.0, 0f), (sgd.Optimizer, sgd.LearningRate, sgd.MinLearningRate, sgd.Momentum, sgd.WeightDecay, sgd.WarmupEpochs, sgd.LabelSmoothing));
        sgd.Validate();
    }

    [Fact]
    public void Invalid_values_are_input_errors_naming_the_value()
    {
        Assert.Contains("-1", Assert.Throws<UserInputException>(() => new TrainingOptions { WeightDecay = -1 }.Validate()).Message);
        Assert.Contains("momentum", Assert.Throws<UserInputException>(() => new TrainingOptions { Nesterov = true, Momentum = 0 }.Validate()).Message);
    }
}
