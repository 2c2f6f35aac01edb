using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Models.Profiling;
using FormerSearch.Training;

namespace FormerSearch.Tests.Models;

/// <summary>Sizes and rates out of range are refused before anything is built; counts never overflow; memory is checked from the profile.</summary>
public sealed class SizeBoundsTests
{
    [Fact]
    public void Absurd_classes_inputs_depths_and_widths_are_refused_by_validation()
    {
        Assert.Throws<UserInputException>(() => ModelOptions.For(new ModelInput(3, 100_000, 100_000)).Validate());
        Assert.Throws<UserInputException>(() => ModelOptions.For(ModelInput.ImageNet, 8_000_000).Validate());
        ModelOptions.For(new ModelInput(3, SizeLimits.MaxImageSide, 32), SizeLimits.MaxClasses).Validate();
        var deep = new VitConfig { EmbedDim = 192, NumHeads = 3, Depth = 100_000_000 };
        Assert.Contains("1,024", Assert.Throws<UserInputException>(deep.Validate).Message);
        var wide = new VitConfig { EmbedDim = 2_000_000_000, NumHeads = 1 };
        Assert.Contains("65,536", Assert.Throws<UserInputException>(wide.Validate).Message);
        // A width whose MLP width would overflow an int is refused as too wide, not as "not positive".
        var ratio = new AutoFormerConfig { EmbedDim = 60_000, NumHeads = [1], MlpRatios = [1e6f] };
        Assert.Contains("MLP width", Assert.Throws<UserInputException>(ratio.Validate).Message);
    }

    [Fact]
    public void Profile_counts_that_overflow_64_bits_are_refused_not_wrapped()
    {
        Assert.Equal(6L * 4_000_000_000, ProfileBuilder.Product("x", 2, 3, 4_000_000_000));
        var e = Assert.Throws<UserInputException>(() => ProfileBuilder.Product("blocks.0.fc1", 65_536, 65_536, 65_536, 65_536, 65_536));
        Assert.Contains("blocks.0.fc1", e.Message);
        var p = new ProfileBuilder();
        for (int i = 0; i < 10; i++) p.Linear($"fc{i}", 65_536, 65_536, [65_536], long.MaxValue / 65_536 / 65_536);
        Assert.Throws<UserInputException>(() => p.Build("huge", ModelInput.ImageNet, 10));
    }

    [Fact]
    public void The_memory_budget_counts_weights_and_activations_and_says_what_batch_fits()
    {
        var profile = ModelRegistry.Profile("deit_tiny", ModelOptions.For(ModelInput.ImageNet, 10));
        Assert.Equal(profile.Params * 4.0, MemoryBudget.WeightBytes(profile, training: false));
        Assert.Equal(profile.Params * 16.0, MemoryBudget.WeightBytes(profile, training: true));
        Assert.True(MemoryBudget.ActivationBytesPerImage(profile, training: true) > MemoryBudget.ActivationBytesPerImage(profile, training: false));
        MemoryBudget.Check(profile, 1, training: true);
        double perImage = MemoryBudget.ActivationBytesPerImage(profile, training: true);
        int tooMany = (int)Math.Min(int.MaxValue, Math.Ceiling(2 * MemoryBudget.AvailableBytes / perImage));
        var e = Assert.Throws<UserInputException>(() => MemoryBudget.Check(profile, tooMany, training: true));
        Assert.Contains("a batch of at most", e.Message);
        Assert.True(e.Message.Length <= 300, e.Message);
    }

    [Theory]
    [InlineData(1e308, 0.05, 1.0)]
    [InlineData(double.NaN, 0.05, 1.0)]
    [InlineData(1e-3, 1e308, 1.0)]
    [InlineData(1e-3, double.PositiveInfinity, 1.0)]
    [InlineData(1e-3, 0.05, double.PositiveInfinity)]
    [InlineData(1e-3, 0.05, double.NaN)]
    public void Rates_and_warm_ups_must_be_finite_and_in_range(double lr, double decay, double warmup)
    {
        var options = new TrainingOptions { LearningRate = lr, WeightDecay = decay, WarmupEpochs = warmup };
        Assert.Throws<UserInputException>(options.Validate);
        new TrainingOptions { LearningRate = TrainingOptions.MaxRate, WeightDecay = TrainingOptions.MaxRate }.Validate();
        Assert.Throws<UserInputException>(new TrainingOptions { Epochs = TrainingOptions.MaxEpochs + 1 }.Validate);
        Assert.Throws<UserInputException>(new TrainingOptions { ClipGradNorm = double.PositiveInfinity }.Validate);
    }
}
