using FormerSearch.Engine;
using FormerSearch.Pipeline;

namespace FormerSearch.Tests.Pipeline;

public sealed class SearchPresetTests
{
    [Fact]
    public void The_default_preset_is_the_settings_records_defaults_and_quick_is_smaller()
    {
        Assert.Equal(["default", "quick"], SearchPreset.All.Select(p => p.Name));
        Assert.Same(SearchPreset.All[0], SearchPreset.Default);
        Assert.Equal(new SearchPipelineSettings(), SearchPreset.Get("default").Settings);
        var quick = SearchPreset.Get("quick").Settings;
        Assert.True(quick.SupernetMaxSteps < quick.SupernetEpochs * 50_000 / quick.BatchSize);
        Assert.True(quick.Population * quick.Generations < SearchPreset.Default.Settings.Population * SearchPreset.Default.Settings.Generations);
    }

    [Fact]
    public void An_unknown_preset_names_the_known_ones()
    {
        var e = Assert.Throws<UserInputException>(() => SearchPreset.Get("huge"));
        Assert.Equal("--preset 'huge' is unknown: use default or quick.", e.Message);
    }
}
