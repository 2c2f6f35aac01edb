using System.CommandLine;
using System.Globalization;
using FormerSearch.Cli.Progress;
using FormerSearch.Data;
using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Pipeline;
using FormerSearch.Reports;
using FormerSearch.Search;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former compare [--searched DIR…] [--macs W] [--params W] [--baselines A,B…] [--seeds N] [--finetune-epochs N] [training options]
/// --output DIR</c>: the best architecture of each search against hand-designed baselines scaled to the same budget, every
/// one trained from scratch with the same recipe over N seeds (and the searched ones also fine-tuned from their inherited
/// weights); a table, <c>DIR/comparison.json</c> and, with searches, <c>DIR/report.html</c>.
/// </summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var searched = new Option<string[]>("--searched") { Description = "A finished `former search` output folder; repeat for several. Its best architecture is compared, and its data split is used.", Arity = ArgumentArity.ZeroOrMore };
        var macs = new Option<string?>("--macs") { Description = "MACs window: MAX, MIN:MAX or CENTRE±P%, e.g. 3.6M±10% (default: the first search's best MACs ±10%)." };
        var parameters = new Option<string?>("--params") { Description = "Parameter window: MAX, MIN:MAX or CENTRE±P%, e.g. 100K or 1M." };
        var baselines = new Option<string?>("--baselines") { Description = $"Hand-designed models to scale to the budget, comma-separated, or 'none' (default: {string.Join(",", BaselineScaling.DefaultBaselines)})." };
        var seeds = new Option<int>("--seeds") { Description = "Training runs per model, seeds --seed, --seed+1, ….", DefaultValueFactory = _ => 3 };
        var finetune = new Option<int?>("--finetune-epochs") { Description = "Epochs of the searched models fine-tuned from their inherited weights, at half the learning rate without warm-up, as `former search` fine-tunes (default: a third of --epochs, rounded up)." };
        var output = new Option<string>("--output") { Description = "Output folder.", DefaultValueFactory = _ => Path.Combine("runs", "compare") };
        var dataset = new Option<string?>("--dataset") { Description = "Data set spec (default: the searches' data set, else fashion-mnist)." };
        var dataDir = new Option<string?>("--data-dir") { Description = "Directory of the data set's files." };
        var valSize = new Option<int?>("--val-size") { Description = "Training images held out, not trained on (default: as many as the searches held out, by their seed; else 0)." };
        var folders = new FolderOptions();
        var recipe = new TrainingRecipeOptions();
        var run = new RunOptions("Seed of the first training run (default 0); the held-out split is the searches'.");
        var command = new Command("compare", "Train the searched architectures and hand-designed baselines scaled to the same budget with one recipe over several seeds; test accuracy, params, MACs, latency.")
        {
            searched, macs, parameters, baselines, seeds, finetune, output, dataset, dataDir, valSize,
        };
        folders.AddTo(command);
        recipe.AddTo(command);
        run.AddTo(command);
        command.SetAction(parse =>
        {
            run.ApplyThreads(parse);
            int seedCount = CommonOptions.AtLeast(parse.GetValue(seeds), 1, "--seeds");
            var searches = (parse.GetValue(searched) ?? []).Select(SearchedModel.Load).ToList();
            var card = SameSplit(searches);
            var spec = DatasetSpec.Parse(parse.GetValue(dataset) ?? card?.Dataset ?? "fashion-mnist");
            ulong seed = run.SeedOr(parse);
            var decodeAt = card?.Input ?? new ModelInput(1, 28, 28);
            var splits = DataSplits.Open(spec, parse.GetValue(dataDir), CommonOptions.AtLeast(parse.GetValue(valSize) ?? card?.ValSize ?? 0, 0, "--val-size"),
                card?.SplitSeed ?? seed, folders.For(parse, spec, decodeAt, run, card?.TestSize));
            var input = card?.Input ?? new ModelInput(splits.Train.Channels, splits.Train.Height, splits.Train.Width);
            var options = ModelOptions.For(input, splits.Train.NumClasses) with { DropPathRate = recipe.DropPath(parse) };
            var budget = Budget(parse.GetValue(macs), parse.GetValue(parameters), searches, options);

            int batches = Math.Max(1, splits.Train.Count / recipe.BatchSize(parse));
            var scratch = recipe.Recipe(parse, batches);
            int finetuneEpochs = CommonOptions.AtLeast(parse.GetValue(finetune) ?? (scratch.Epochs + 2) / 3, 1, "--finetune-epochs");
            var fromInherited = scratch with { Epochs = finetuneEpochs, MaxSteps = null, LearningRate = scratch.LearningRate / 2, WarmupEpochs = 0 };
            var entries = new List<ComparisonEntry>();
            for (int i = 0; i < searches.Count; i++) entries.AddRange(ComparisonEntry.Of(searches[i], i, options, budget, scratch, fromInherited));
            foreach (string name in BaselineNames(parse.GetValue(baselines)))
                entries.Add(ComparisonEntry.Of(BaselineScaling.Scale(name, options, budget), scratch));
            if (entries.Count == 0) throw new UserInputException("Nothing to compare: give --searched folders or baselines.");

            string dir = parse.GetValue(output)!;
            if (!recipe.Resume(parse) && File.Exists(Path.Combine(dir, Comparison.ResultsFile)))
                throw new UserInputException($"{dir} already holds a comparison; pass --resume to reuse its finished runs or choose another --output.");
            Console.Error.WriteLine($"comparing {entries.Count} models under {BudgetText.Describe(budget)} at {input}, {splits.Train.Count} training images, {seedCount} seed(s) from {seed}, into {dir}");
            var settings = new ComparisonSettings
            {
                Output = dir, Budget = budget, Options = options, Seeds = seedCount, FirstSeed = seed,
                Data = string.Create(CultureInfo.InvariantCulture, $"{spec}, {splits.Train.Count} training images ({card?.ValSize ?? parse.GetValue(valSize) ?? 0} held out by seed {card?.SplitSeed ?? seed})"),
                Replicas = recipe.Replicas(parse),
                SyncBatchNorm = recipe.SyncBatchNormRequested(parse),
            };
            var test = DataLoader.ForEvaluation(splits.Test, 256, input, options.NumClasses);
            var result = new Comparison(settings, s => recipe.TrainLoader(parse, splits.Train, input, options.NumClasses, scratch.LabelSmoothing, s), test,
                new LogLineProgress(), line => Console.Error.WriteLine(line)).Run(entries);
            string results = Path.Combine(dir, Comparison.ResultsFile);
            var studies = searches.Select(s => s.StudyPath).Where(File.Exists).ToList();
            if (studies.Count > 0)
                HtmlReport.Write(studies, Path.Combine(dir, "report.html"), new ReportOptions { Comparison = results, Title = $"Search vs hand design under {BudgetText.Describe(budget)}" });
            if (run.WantsJson(parse)) Console.WriteLine(result.ToJsonString());
            else Console.Write(ComparisonTable.Format(result));
            return ExitCodes.Success;
        });
        return command;
    }

    // Every search must come from the same data split, or the models would be trained on different images.
    private static Inference.ModelCard? SameSplit(List<SearchedModel> searches)
    {
        var first = searches.FirstOrDefault()?.Card;
        foreach (var s in searches.Skip(1))
            if ((s.Card.Dataset, s.Card.ValSize, s.Card.SplitSeed, s.Card.Input) != (first!.Dataset, first.ValSize, first.SplitSeed, first.Input))
                throw new UserInputException($"--searched {s.Folder} was searched on another data split or input than {searches[0].Folder}; compare searches of one data set, split and input.");
        return first;
    }

    private static Constraints Budget(string? macs, string? parameters, List<SearchedModel> searches, ModelOptions options)
    {
        var budget = new Constraints { Macs = BudgetText.Parse(macs, "--macs"), Params = BudgetText.Parse(parameters, "--params") };
        if (budget.Macs.IsBounded || budget.Params.IsBounded) return budget;
        if (searches.Count == 0) throw new UserInputException("A comparison needs a budget: give --macs or --params (or --searched, whose best's MACs ±10% is the default).");
        long best = searches[0].Entry.Profile(options).Macs;
        return budget with { Macs = new CostWindow(0.9 * best, 1.1 * best) };
    }

    private static IEnumerable<string> BaselineNames(string? text) =>
        text is null ? BaselineScaling.DefaultBaselines
        : text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? []
        : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.OrdinalIgnoreCase);
}
