using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using FormerSearch.Cli.Progress;
using FormerSearch.Pipeline;
using FormerSearch.Supernets;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former rank-study --supernet DIR --samples N --epochs E [--max-steps S] [--spread] [--seeds K] [--finetune-steps S] [--bn-batches N] [--output DIR] [--json]</c>: Kendall's τ
/// (with a bootstrap 95 % interval) and Spearman's ρ between inherited and stand-alone accuracy of N sampled subnets (AutoFormer's
/// Table 1, small), and with K seeds the seed-to-seed spread of the stand-alone accuracies.
/// </summary>
public static class RankStudyCommand
{
    public static Command Create()
    {
        var supernetDir = new Option<string>("--supernet") { Description = "A `former supernet train` output directory.", Required = true };
        var samples = new Option<int>("--samples") { Description = "Subnets to sample.", DefaultValueFactory = _ => 10 };
        var epochs = new Option<int>("--epochs") { Description = "Epochs to train each subnet alone.", DefaultValueFactory = _ => 1 };
        var maxSteps = new Option<int?>("--max-steps") { Description = "Steps to train each subnet alone (instead of whole epochs)." };
        var output = new Option<string?>("--output") { Description = "Where the stand-alone runs and rank_study.json go (default: DIR/rank-study)." };
        var dataDir = new Option<string?>("--data-dir") { Description = "Directory of the data set's files." };
        var spread = new Option<bool>("--spread") { Description = "Pick the subnets evenly across the space's MACs range (from 20 times as many draws) instead of as the sampler draws them." };
        var seeds = new Option<int>("--seeds")
        {
            Description = "Times each subnet is trained alone, with other weights and data order: its accuracy is their mean, and the seed-to-seed sd is reported.",
            DefaultValueFactory = _ => 1,
        };
        var finetune = new Option<int?>("--finetune-steps")
        {
            Description = "Also score each subnet after this many steps of fine-tuning from its inherited weights (half the learning rate, no warm-up), and report tau for that score.",
        };
        var bnBatches = new Option<int>("--bn-batches")
        {
            Description = "Training batches to re-estimate each subnet's batch-norm statistics on before it is scored with inherited weights (0: keep the supernet's).",
            DefaultValueFactory = _ => Training.BatchNormCalibration.DefaultBatches,
        };
        var folders = new FolderOptions();
        var run = new RunOptions("Seed of the sample and of the stand-alone runs (default 0).");
        var command = new Command("rank-study", "How well inherited weights rank subnets: Kendall's tau and Spearman's rho against training them alone.")
        {
            supernetDir, samples, epochs, maxSteps, spread, seeds, finetune, bnBatches, output, dataDir,
        };
        folders.AddTo(command);
        run.AddTo(command);
        command.SetAction(parse =>
        {
            run.ApplyThreads(parse);
            var folder = SupernetDirectory.Load(parse.GetValue(supernetDir)!);
            int n = CommonOptions.InRange(parse.GetValue(samples), 2, Search.ISearchSettings.MaxEvaluations, "--samples");
            int e = CommonOptions.InRange(parse.GetValue(epochs), 1, Training.TrainingOptions.MaxEpochs, "--epochs");
            int k = CommonOptions.InRange(parse.GetValue(seeds), 1, MaxSeeds, "--seeds");
            int? steps = parse.GetValue(maxSteps) is { } s ? CommonOptions.AtLeast(s, 1, "--max-steps") : null;
            int? finetuneSteps = parse.GetValue(finetune) is { } f ? CommonOptions.AtLeast(f, 1, "--finetune-steps") : null;
            int batches = CommonOptions.AtLeast(parse.GetValue(bnBatches), 0, "--bn-batches");
            string dir = OutputPath.Folder(parse.GetValue(output) ?? Path.Combine(folder.Path, "rank-study"));
            var imageFolders = folders.For(parse, Data.DatasetSpec.Parse(folder.Dataset), folder.Input, run, SupernetData.Card(folder).TestSize);
            var result = new RankStudy(folder, parse.GetValue(dataDir), dir, new LogLineProgress(), line => Console.Error.WriteLine(line), imageFolders)
                .Run(n, e, steps, run.SeedOr(parse), parse.GetValue(spread), bnBatches: batches, seeds: k, finetuneSteps: finetuneSteps);
            if (run.WantsJson(parse)) Console.WriteLine(result.ToJsonString());
            else Console.WriteLine(Summary(result, Path.Combine(dir, "rank_study.json")));
            return ExitCodes.Success;
        });
        return command;
    }

    // Far beyond a useful study; keeps a typo from queueing thousands of trainings.
    private const int MaxSeeds = 100;

    /// <summary>The study's one-line summary: τ with its bootstrap interval, ρ, and the seed-to-seed sd when several seeds were trained.</summary>
    public static string Summary(JsonObject result, string file)
    {
        string Figure(JsonNode? node) => node is null ? "undefined" : node.GetValue<double>().ToString("F3", CultureInfo.InvariantCulture);
        var interval = result["kendall_tau_ci95"]!.AsArray();
        int seeds = result["seeds"]!.GetValue<int>();
        string spread = seeds > 1
            ? string.Create(CultureInfo.InvariantCulture, $"; stand-alone accuracy seed-to-seed sd {100 * result["standalone_seed_sd"]!.GetValue<double>():F2} points ({seeds} seeds each)")
            : "";
        string finetuned = result["finetune_steps"] is { } steps
            ? string.Create(CultureInfo.InvariantCulture,
                $"; after {steps} fine-tuning steps: Kendall tau {Figure(result["finetuned_kendall_tau"])} (95% interval {Figure(result["finetuned_kendall_tau_ci95"]![0])} to {Figure(result["finetuned_kendall_tau_ci95"]![1])}), Spearman rho {Figure(result["finetuned_spearman_rho"])}")
            : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{result["samples"]} subnets: Kendall tau {Figure(result["kendall_tau"])} (95% bootstrap interval {Figure(interval[0])} to {Figure(interval[1])}, {result["bootstrap_resamples"]} resamples), "
            + $"Spearman rho {Figure(result["spearman_rho"])} (inherited vs trained alone, held-out accuracy){finetuned}{spread}; {file}");
    }
}
