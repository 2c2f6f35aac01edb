using FormerSearch.Data;
using FormerSearch.Engine;
using FormerSearch.Search;

namespace FormerSearch.Tests.Search;

/// <summary>A search budget whose count overflows (or would take years) is refused when the settings are checked.</summary>
public sealed class SearchBudgetBoundsTests
{
    [Fact]
    public void An_evolution_budget_above_a_million_evaluations_is_refused_instead_of_overflowing()
    {
        // 2³¹−1 × 6 wraps to a negative int budget.
        var e = Assert.Throws<UserInputException>(new EvolutionSettings { Population = int.MaxValue, Generations = 6 }.Validate);
        Assert.Contains("1,000,000", e.Message);
        new EvolutionSettings { Population = 1000, Generations = 1000, Parents = 10 }.Validate();
        Assert.Throws<UserInputException>(new RandomSearchSettings { Budget = ISearchSettings.MaxEvaluations + 1 }.Validate);
    }

    [Fact]
    public void Mixup_and_cutmix_alphas_are_finite_and_bounded()
    {
        Assert.Throws<UserInputException>((Augmentation.None with { MixupAlpha = 1e30f }).Validate);
        Assert.Throws<UserInputException>((Augmentation.None with { CutmixAlpha = float.NaN }).Validate);
        Assert.Throws<UserInputException>((Augmentation.None with { CropPadding = int.MaxValue }).Validate);
        (Augmentation.None with { MixupAlpha = Augmentation.MaxAlpha, CutmixAlpha = 1 }).Validate();
    }
}
