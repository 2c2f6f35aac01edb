using FormerSearch.Engine;
using FormerSearch.Pipeline;

namespace FormerSearch.Tests.Pipeline;

public sealed class SearchPresetTests
{
    [Fact]
    public void The_default_preset_is_the_settings_records_defaults_and_quick_is_smaller()
    {
        Assert.Equal(["default", "quick", "thorough"], SearchPreset.All.Select(p => p.Name));
        Assert.Same(SearchPreset.All[0], SearchPreset.Default);
        Assert.Equal(new SearchPipelineSettings(), SearchPreset.Get("default").Settings);
        var quick = SearchPreset.Get("quick").Settings;
        Assert.True(quick.SupernetMaxSteps < quick.SupernetEpochs * 50_000 / quick.BatchSize);
        Assert.True(quick.Population * quick.Generations < SearchPreset.Default.Settings.Population * SearchPreset.Default.Settings.Generations);
    }

    [Fact]
    public void Thorough_trains_searches_and_scores_more_than_the_default_and_fine_tunes_on_every_image_with_deits_regularisation()
    {
        var (thorough, defaults) = (SearchPreset.Get("thorough").Settings, SearchPreset.Default.Settings);
        Assert.True(thorough.SupernetEpochs > defaults.SupernetEpochs && thorough.FinetuneEpochs > defaults.FinetuneEpochs);
        Assert.Equal((30, 200), (thorough.SupernetEpochs, thorough.FinetuneEpochs)); // the README's 94.90 % under 1M parameters
        Assert.True(thorough.Population * thorough.Generations > defaults.Population * defaults.Generations);
        Assert.True(thorough.SearchValImages > defaults.SearchValImages && thorough.BnBatches > defaults.BnBatches);
        Assert.Equal((0f, 0f, 0f, 0f), (defaults.FinetuneRandomErasing, defaults.FinetuneMixup, defaults.FinetuneCutmix, defaults.FinetuneDropPath));
        // DeiT's: random erasing 0.25, mixup 0.8, cutmix 1.0, drop path 0.1 (its tiny model's).
        Assert.Equal((0.25f, 0.8f, 1f, 0.1f), (thorough.FinetuneRandomErasing, thorough.FinetuneMixup, thorough.FinetuneCutmix, thorough.FinetuneDropPath));
        Assert.Equal((FinetuneImages.Train, FinetuneImages.All), (defaults.FinetuneImages, thorough.FinetuneImages));
        Assert.Equal(defaults with
        {
            SupernetEpochs = thorough.SupernetEpochs, SearchValImages = thorough.SearchValImages, Population = thorough.Population,
            Generations = thorough.Generations, BnBatches = thorough.BnBatches, FinetuneEpochs = thorough.FinetuneEpochs,
            FinetuneRandomErasing = thorough.FinetuneRandomErasing, FinetuneMixup = thorough.FinetuneMixup, FinetuneCutmix = thorough.FinetuneCutmix,
            FinetuneDropPath = thorough.FinetuneDropPath, FinetuneImages = thorough.FinetuneImages,
        }, thorough);
    }

    [Fact]
    public void An_unknown_preset_names_the_known_ones()
    {
        var e = Assert.Throws<UserInputException>(() => SearchPreset.Get("huge"));
        Assert.Equal("--preset 'huge' is unknown: use default, quick or thorough.", e.Message);
    }
}
