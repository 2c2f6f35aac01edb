using System.CommandLine;
using System.Globalization;
using FormerSearch.Cli.Progress;
using FormerSearch.Engine;
using FormerSearch.Pipeline;
using FormerSearch.Search;
using FormerSearch.Supernets;
using FormerSearch.Training;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former search</c>: the main job. With no options: a BurgerFormer <c>mini</c> supernet trained with hybrid sampling on
/// Fashion-MNIST, evolution under the default MACs budget, the best subnet extracted, fine-tuned and tested; study,
/// weights, architecture, summary and report in one folder. <c>--json</c> prints
/// <c>{"output", "best": {"arch", "params", "macs", "val_acc", "test_acc", …}}</c>.
/// </summary>
public static class SearchCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "Run size: default (about 8 minutes here) or quick (under a minute, a smoke run).", DefaultValueFactory = _ => "default" };
        var space = new Option<string>("--space") { Description = "autoformer | glit | burger.", DefaultValueFactory = _ => "burger" };
        var spacePreset = new Option<string>("--space-preset") { Description = "Preset of the space.", DefaultValueFactory = _ => "mini" };
        var sampler = new Option<string>("--sampler") { Description = "Supernet sampling: uniform | spos | sandwich | hybrid.", DefaultValueFactory = _ => "hybrid" };
        var algorithm = new Option<string>("--algorithm") { Description = "evolution | random | hierarchical | pareto.", DefaultValueFactory = _ => "evolution" };
        var budgetMacs = new Option<string?>("--budget-macs") { Description = "MACs window MAX or MIN:MAX, e.g. 20e6 (default: the middle of the space's range)." };
        var budgetParams = new Option<string?>("--budget-params") { Description = "Parameter window MAX or MIN:MAX, e.g. 1.5e6." };
        var budgetLatency = new Option<string?>("--budget-latency") { Description = "Latency window in ms per batch of 64, MAX or MIN:MAX." };
        var dataset = new Option<string>("--dataset") { Description = "Data set spec (see `former train`).", DefaultValueFactory = _ => "fashion-mnist" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Directory of the data set's files." };
        var valSize = new Option<int>("--val-size") { Description = "Training images held out to rank subnets on (AutoFormer holds out 10,000).", DefaultValueFactory = _ => 10_000 };
        var output = new Option<string>("--output") { Description = "Output folder.", DefaultValueFactory = _ => "runs/search" };
        var resume = new Option<bool>("--resume") { Description = "Reuse and continue what an earlier run into --output finished." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of everything.", DefaultValueFactory = _ => 0 };
        var supernet = new Option<string?>("--supernet") { Description = "Search this trained supernet folder (`former supernet train` output) instead of training one; its space, sampler, data set and held-out split are used." };
        var supernetEpochs = new Option<int?>("--supernet-epochs") { Description = "Supernet training epochs (default: the preset's, 6)." };
        var population = new Option<int?>("--population") { Description = "Evolution population per generation (default: the preset's, 20); random search evaluates as many in all." };
        var generations = new Option<int?>("--generations") { Description = "Evolution generations (default: the preset's, 6)." };
        var finetuneEpochs = new Option<int?>("--finetune-epochs") { Description = "Fine-tuning epochs of the best subnet (default: the preset's, 3); 0 tests it with its inherited weights." };
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("search", "Supernet training, search under a budget, extraction, fine-tuning, test and report, end to end.")
        {
            preset, space, spacePreset, sampler, algorithm, budgetMacs, budgetParams, budgetLatency, dataset, dataDir, valSize, output, resume, seed,
            supernet, supernetEpochs, population, generations, finetuneEpochs, threads, json,
        };
        command.SetAction(parse =>
        {
            EngineSettings.Threads = CommonOptions.AtLeast(parse.GetValue(threads), 1, "--threads");
            var defaults = SearchPipelineSettings.Preset(parse.GetValue(preset)!);
            var settings = defaults with
            {
                SupernetEpochs = CommonOptions.AtLeast(parse.GetValue(supernetEpochs) ?? defaults.SupernetEpochs, 1, "--supernet-epochs"),
                SupernetMaxSteps = parse.GetValue(supernetEpochs) is null ? defaults.SupernetMaxSteps : null,
                Population = CommonOptions.AtLeast(parse.GetValue(population) ?? defaults.Population, 2, "--population"),
                Generations = CommonOptions.AtLeast(parse.GetValue(generations) ?? defaults.Generations, 1, "--generations"),
                FinetuneEpochs = CommonOptions.AtLeast(parse.GetValue(finetuneEpochs) ?? defaults.FinetuneEpochs, 0, "--finetune-epochs"),
                FinetuneMaxSteps = parse.GetValue(finetuneEpochs) is null ? defaults.FinetuneMaxSteps : null,
                Space = parse.GetValue(space)!,
                SpacePreset = parse.GetValue(spacePreset)!,
                Sampler = SupernetCommand.ParseSampler(parse.GetValue(sampler)!),
                Algorithm = parse.GetValue(algorithm)!,
                Dataset = parse.GetValue(dataset)!,
                DataDir = parse.GetValue(dataDir),
                ValSize = CommonOptions.AtLeast(parse.GetValue(valSize), 1, "--val-size"),
                Output = parse.GetValue(output)!,
                Seed = parse.GetValue(seed),
                Constraints = new Constraints
                {
                    Macs = Window(parse.GetValue(budgetMacs), "--budget-macs"),
                    Params = Window(parse.GetValue(budgetParams), "--budget-params"),
                    Latency = Window(parse.GetValue(budgetLatency), "--budget-latency"),
                },
            };
            if (parse.GetValue(supernet) is { } trained)
            {
                SupernetDirectory folder;
                try { folder = SupernetDirectory.Load(trained); }
                catch (Exception e) when (e is IOException or InvalidDataException) { throw new UserInputException($"--supernet: {e.Message}"); }
                settings = settings.OnSupernet(folder);
                foreach (var (option, value, its) in new (Option Option, string Value, string Its)[]
                {
                    (space, parse.GetValue(space)!, folder.Space), (spacePreset, parse.GetValue(spacePreset)!, folder.Preset),
                    (sampler, parse.GetValue(sampler)!, folder.Sampler), (dataset, parse.GetValue(dataset)!, folder.Dataset),
                    (valSize, parse.GetValue(valSize).ToString(CultureInfo.InvariantCulture), folder.ValSize.ToString(CultureInfo.InvariantCulture)),
                })
                {
                    if (parse.GetResult(option) is { Implicit: false } && !string.Equals(value, its, StringComparison.OrdinalIgnoreCase))
                        throw new UserInputException($"{option.Name} {value} contradicts the supernet in {trained}, which was trained with {its}; leave the option out.");
                }
            }
            var pipeline = new SearchPipeline(settings, new LogLineProgress(), line => Console.Error.WriteLine(line));
            System.Text.Json.Nodes.JsonObject summary;
            try { summary = pipeline.Run(parse.GetValue(resume)); }
            catch (TrainingDivergedException e) { throw new TrainingFailedException(e.Message, e); }
            if (parse.GetValue(json)) Console.WriteLine(summary.ToJsonString());
            else
            {
                Console.WriteLine($"output: {summary["output"]}");
                Console.WriteLine($"best: {summary["best"]!["arch_file"]} with weights {summary["best"]!["weights"]}");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"test top-1 {100 * summary["best"]!["test_acc"]!.GetValue<double>():F2}%, {summary["best"]!["params"]} params, {summary["best"]!["macs"]} MACs; report: {Path.Combine(summary["output"]!.GetValue<string>(), "report.html")}"));
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>"MAX" or "MIN:MAX" (either side may be empty) as a window.</summary>
    internal static CostWindow Window(string? text, string option)
    {
        if (text is null) return CostWindow.Unbounded;
        var parts = text.Split(':');
        double? Parse(string s) => s.Length == 0 ? null
            : double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 && double.IsFinite(v) ? v
            : throw new UserInputException($"{option} '{text}' is invalid: give MAX or MIN:MAX as non-negative numbers, e.g. 20e6 or 5e6:20e6.");
        var window = parts.Length switch
        {
            1 => new CostWindow(null, Parse(parts[0])),
            2 => new CostWindow(Parse(parts[0]), Parse(parts[1])),
            _ => throw new UserInputException($"{option} '{text}' is invalid: give MAX or MIN:MAX."),
        };
        if (window.Min > window.Max) throw new UserInputException($"{option} '{text}' is invalid: its minimum is above its maximum.");
        return window;
    }
}
