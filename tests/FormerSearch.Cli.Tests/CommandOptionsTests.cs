using System.CommandLine;
using System.Globalization;
using FormerSearch.Cli.Commands;
using FormerSearch.Pipeline;
using FormerSearch.Search;
using FormerSearch.Supernets;
using FormerSearch.Training;

namespace FormerSearch.Cli.Tests;

/// <summary>
/// The command tree parsed in process: the options every long-running command shares, and defaults that come from the
/// settings records (so the command line and the library cannot disagree).
/// </summary>
public sealed class CommandOptionsTests
{
    public static TheoryData<string> LongRunning() => new()
    {
        "train", "supernet train", "supernet eval", "extract", "search", "rank-study", "eval", "predict",
        "bench gemm", "bench ops", "bench train", "bench infer", "bench supernet", "bench study",
    };

    private static Command Find(RootCommand root, string path) =>
        path.Split(' ').Aggregate((Command)root, (command, name) => command.Subcommands.Single(c => c.Name == name));

    [Theory]
    [MemberData(nameof(LongRunning))]
    public void Every_long_running_command_takes_threads_seed_json_and_no_progress(string path)
    {
        var root = FormerCommand.Create();
        var command = Find(root, path);
        foreach (var name in new[] { "--threads", "--seed", "--json", "--no-progress" })
            Assert.Single(command.Options, o => o.Name == name);

        var parsed = root.Parse([.. path.Split(' '), "--threads", "2", "--seed", "7", "--json", "--no-progress"]);
        Assert.Empty(parsed.UnmatchedTokens);
        Assert.DoesNotContain(parsed.Errors, e => e.Message.Contains("--threads") || e.Message.Contains("--seed") || e.Message.Contains("--json") || e.Message.Contains("--no-progress"));
        Assert.Equal(7UL, parsed.GetValue<ulong?>("--seed"));
        Assert.Equal(2, parsed.GetValue<int>("--threads"));
        Assert.True(parsed.GetValue<bool>("--no-progress"));
    }

    private static SearchPipelineSettings SearchSettings(params string[] args)
    {
        var options = new SearchOptions();
        var command = new Command("search");
        options.AddTo(command);
        var root = new RootCommand { command };
        var parsed = root.Parse(["search", .. args]);
        Assert.Empty(parsed.Errors);
        return options.Settings(parsed);
    }

    [Fact]
    public void Search_without_options_runs_the_default_preset_and_each_preset_its_own_settings()
    {
        var unbounded = new Constraints { Macs = CostWindow.Unbounded, Params = CostWindow.Unbounded, Latency = CostWindow.Unbounded };
        Assert.Equal(SearchPreset.Default.Settings with { Constraints = unbounded }, SearchSettings());
        foreach (var preset in SearchPreset.All)
            Assert.Equal(preset.Settings with { Constraints = unbounded }, SearchSettings("--preset", preset.Name));
        Assert.NotEqual(SearchPreset.Get("quick").Settings.Population, SearchPreset.Get("default").Settings.Population);
    }

    [Fact]
    public void Search_options_override_only_what_they_name()
    {
        var settings = SearchSettings("--preset", "quick", "--sampler", "SANDWICH", "--algorithm", "pareto", "--population", "4", "--finetune-epochs", "2", "--seed", "9");
        var quick = SearchPreset.Get("quick").Settings;
        Assert.Equal((SamplerKind.Sandwich, SearchAlgorithmKind.Pareto, 4, 2, (int?)null, 9UL), (settings.Sampler, settings.Algorithm, settings.Population, settings.FinetuneEpochs, settings.FinetuneMaxSteps, settings.Seed));
        Assert.Equal((quick.Generations, quick.SupernetMaxSteps, quick.Space, quick.ValSize), (settings.Generations, settings.SupernetMaxSteps, settings.Space, settings.ValSize));
    }

    [Fact]
    public void Help_texts_quote_the_settings_records()
    {
        var root = FormerCommand.Create();
        string Help(string path, string option) => Find(root, path).Options.Single(o => o.Name == option).Description!;
        var defaults = SearchPreset.Default.Settings;
        var quick = SearchPreset.Get("quick").Settings;
        Assert.Contains($"default {defaults.Population}, quick {quick.Population}", Help("search", "--population"));
        Assert.Contains($"default {defaults.SupernetEpochs}, quick {quick.SupernetMaxSteps} steps", Help("search", "--supernet-epochs"));
        Assert.Contains($"default: {KindNames.Of(defaults.Sampler)}", Help("search", "--sampler"));
        Assert.Contains($"default: {KindNames.Of(defaults.Algorithm)}", Help("search", "--algorithm"));
        foreach (var preset in SearchPreset.All) Assert.Contains($"{preset.Name}: {preset.Description}", Help("search", "--preset"));

        string Number(double v) => v.ToString("0.#######", CultureInfo.InvariantCulture);
        var adamw = TrainingOptions.For(OptimizerKind.AdamW);
        var sgd = TrainingOptions.For(OptimizerKind.Sgd);
        foreach (var path in new[] { "train", "supernet train" })
        {
            Assert.Contains($"adamw {Number(adamw.LearningRate)}, sgd {Number(sgd.LearningRate)}", Help(path, "--lr"));
            Assert.Contains($"adamw {Number(adamw.WeightDecay)}, sgd {Number(sgd.WeightDecay)}", Help(path, "--weight-decay"));
            Assert.Contains($"default {Number(adamw.Momentum)}", Help(path, "--momentum"));
            Assert.Contains($"default {adamw.Epochs}", Help(path, "--epochs"));
        }
    }

    [Theory]
    [InlineData("search", "--sampler", "greedy", "uniform, spos, sandwich or hybrid")]
    [InlineData("search", "--algorithm", "annealing", "evolution, random, hierarchical or pareto")]
    [InlineData("supernet train", "--sampler", "7", "uniform, spos, sandwich or hybrid")]
    [InlineData("train", "--optimizer", "lamb", "adamw or sgd")]
    public void An_unknown_kind_is_a_parse_error_naming_the_known_ones(string path, string option, string value, string known)
    {
        var parsed = FormerCommand.Create().Parse([.. path.Split(' '), option, value]);
        Assert.Contains(parsed.Errors, e => e.Message == $"{option} '{value}' is unknown: use {known}.");
    }
}
