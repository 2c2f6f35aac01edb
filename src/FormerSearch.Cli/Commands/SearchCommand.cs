using System.CommandLine;
using System.Globalization;
using FormerSearch.Cli.Progress;
using FormerSearch.Engine;
using FormerSearch.Pipeline;
using FormerSearch.Search;
using FormerSearch.Supernets;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former search</c>: the main job. With no options: a BurgerFormer <c>mini</c> supernet trained with hybrid sampling on
/// Fashion-MNIST, evolution under the default MACs budget, the best subnet extracted, fine-tuned and tested; study,
/// weights, architecture, summary and report in one folder. <c>--json</c> prints
/// <c>{"output", "best": {"arch", "params", "macs", "val_acc", "test_acc", …}}</c>. Every default is the chosen
/// <see cref="SearchPreset"/>'s (<see cref="SearchPipelineSettings"/>); an option only overrides it.
/// </summary>
public static class SearchCommand
{
    private static readonly SearchPipelineSettings Defaults = SearchPreset.Default.Settings;

    public static Command Create()
    {
        var preset = new Option<string?>("--preset")
        {
            Description = "Run size: " + string.Join("; ", SearchPreset.All.Select(p => $"{p.Name} ({p.Description})")) + $" (default: {SearchPreset.Default.Name}).",
        };
        var space = new Option<string?>("--space") { Description = $"autoformer | glit | burger (default: {Defaults.Space})." };
        var spacePreset = new Option<string?>("--space-preset") { Description = $"Preset of the space (default: {Defaults.SpacePreset})." };
        var sampler = KindOption.Create("--sampler", "Supernet sampling", Defaults.Sampler);
        var algorithm = KindOption.Create("--algorithm", "Search algorithm", Defaults.Algorithm);
        var budgetMacs = new Option<string?>("--budget-macs") { Description = "MACs window MAX or MIN:MAX, e.g. 20e6 (default: at most the middle of the space's range)." };
        var budgetParams = new Option<string?>("--budget-params") { Description = "Parameter window MAX or MIN:MAX, e.g. 1.5e6." };
        var budgetLatency = new Option<string?>("--budget-latency") { Description = $"Latency window in ms per batch of {Defaults.LatencyBatch}, MAX or MIN:MAX." };
        var dataset = new Option<string?>("--dataset") { Description = $"Data set spec (see `former train`; default: {Defaults.Dataset})." };
        var dataDir = new Option<string?>("--data-dir") { Description = "Directory of the data set's files." };
        var valSize = new Option<int?>("--val-size") { Description = $"Training images held out to rank subnets on (default: {Defaults.ValSize:N0}, as AutoFormer)." };
        var output = new Option<string?>("--output") { Description = $"Output folder (default: {Defaults.Output})." };
        var resume = new Option<bool>("--resume") { Description = "Reuse and continue what an earlier run into --output finished." };
        var supernet = new Option<string?>("--supernet") { Description = "Search this trained supernet folder (`former supernet train` output) instead of training one; its space, sampler, data set and held-out split are used." };
        var supernetEpochs = new Option<int?>("--supernet-epochs") { Description = $"Supernet training epochs (default: {PerPreset(s => s.SupernetMaxSteps is { } steps ? $"{steps} steps" : $"{s.SupernetEpochs}")})." };
        var population = new Option<int?>("--population") { Description = $"Evolution population per generation (default: {PerPreset(s => $"{s.Population}")}); random search evaluates as many in all." };
        var generations = new Option<int?>("--generations") { Description = $"Evolution generations (default: {PerPreset(s => $"{s.Generations}")})." };
        var finetuneEpochs = new Option<int?>("--finetune-epochs") { Description = $"Fine-tuning epochs of the best subnet (default: {PerPreset(s => s.FinetuneMaxSteps is { } steps ? $"{steps} steps" : $"{s.FinetuneEpochs}")}); 0 tests it with its inherited weights." };
        var run = new RunOptions("Seed of everything: supernet, search, fine-tuning, held-out split (default 0).");
        var command = new Command("search", "Supernet training, search under a budget, extraction, fine-tuning, test and report, end to end.")
        {
            preset, space, spacePreset, sampler, algorithm, budgetMacs, budgetParams, budgetLatency, dataset, dataDir, valSize, output, resume,
            supernet, supernetEpochs, population, generations, finetuneEpochs,
        };
        run.AddTo(command);
        command.SetAction(parse =>
        {
            run.ApplyThreads(parse);
            var defaults = parse.GetValue(preset) is { } name ? SearchPreset.Get(name).Settings : Defaults;
            var settings = defaults with
            {
                SupernetEpochs = CommonOptions.AtLeast(parse.GetValue(supernetEpochs) ?? defaults.SupernetEpochs, 1, "--supernet-epochs"),
                SupernetMaxSteps = parse.GetValue(supernetEpochs) is null ? defaults.SupernetMaxSteps : null,
                Population = CommonOptions.AtLeast(parse.GetValue(population) ?? defaults.Population, 2, "--population"),
                Generations = CommonOptions.AtLeast(parse.GetValue(generations) ?? defaults.Generations, 1, "--generations"),
                FinetuneEpochs = CommonOptions.AtLeast(parse.GetValue(finetuneEpochs) ?? defaults.FinetuneEpochs, 0, "--finetune-epochs"),
                FinetuneMaxSteps = parse.GetValue(finetuneEpochs) is null ? defaults.FinetuneMaxSteps : null,
                Space = parse.GetValue(space) ?? defaults.Space,
                SpacePreset = parse.GetValue(spacePreset) ?? defaults.SpacePreset,
                Sampler = parse.GetValue(sampler) ?? defaults.Sampler,
                Algorithm = parse.GetValue(algorithm) ?? defaults.Algorithm,
                Dataset = parse.GetValue(dataset) ?? defaults.Dataset,
                DataDir = parse.GetValue(dataDir),
                ValSize = CommonOptions.AtLeast(parse.GetValue(valSize) ?? defaults.ValSize, 1, "--val-size"),
                Output = parse.GetValue(output) ?? defaults.Output,
                Seed = run.SeedOr(parse, defaults.Seed),
                Constraints = new Constraints
                {
                    Macs = Window(parse.GetValue(budgetMacs), "--budget-macs"),
                    Params = Window(parse.GetValue(budgetParams), "--budget-params"),
                    Latency = Window(parse.GetValue(budgetLatency), "--budget-latency"),
                },
            };
            if (parse.GetValue(supernet) is { } trained)
            {
                var folder = SupernetDirectory.Load(trained);
                // What the folder fixes may be left out, or repeated; a different value is a mistake worth a sentence.
                foreach (var (option, given, its) in new (string Option, string? Given, string Its)[]
                {
                    ("--space", parse.GetValue(space), folder.Space), ("--space-preset", parse.GetValue(spacePreset), folder.Preset),
                    ("--sampler", parse.GetValue(sampler) is { } k ? KindNames.Of(k) : null, KindNames.Of(folder.Sampler)),
                    ("--dataset", parse.GetValue(dataset), folder.Dataset),
                    ("--val-size", parse.GetValue(valSize)?.ToString(CultureInfo.InvariantCulture), folder.ValSize.ToString(CultureInfo.InvariantCulture)),
                })
                {
                    if (given is not null && !string.Equals(given, its, StringComparison.OrdinalIgnoreCase))
                        throw new UserInputException($"{option} {given} contradicts the supernet in {trained}, which was trained with {its}; leave the option out.");
                }
                settings = settings.OnSupernet(folder);
            }
            var summary = new SearchPipeline(settings, new LogLineProgress(), line => Console.Error.WriteLine(line)).Run(parse.GetValue(resume));
            if (run.WantsJson(parse)) Console.WriteLine(summary.ToJsonString());
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

    // "default 6, quick 1 (or 120 steps)": a figure of every preset, for a help text.
    private static string PerPreset(Func<SearchPipelineSettings, string> figure) =>
        string.Join(", ", SearchPreset.All.Select(p => $"{p.Name} {figure(p.Settings)}"));

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
