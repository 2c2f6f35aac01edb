using System.CommandLine;
using System.Globalization;
using FormerSearch.Cli.Progress;
using FormerSearch.Pipeline;
using FormerSearch.Supernets;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former rank-study --supernet DIR --samples N --epochs E [--max-steps S] [--spread] [--output DIR] [--json]</c>: Kendall's τ and
/// Spearman's ρ between inherited and stand-alone accuracy of N sampled subnets (AutoFormer's Table 1, small).
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
        var folders = new FolderOptions();
        var run = new RunOptions("Seed of the sample and of the stand-alone runs (default 0).");
        var command = new Command("rank-study", "How well inherited weights rank subnets: Kendall's tau and Spearman's rho against training them alone.")
        {
            supernetDir, samples, epochs, maxSteps, spread, output, dataDir,
        };
        folders.AddTo(command);
        run.AddTo(command);
        command.SetAction(parse =>
        {
            run.ApplyThreads(parse);
            var folder = SupernetDirectory.Load(parse.GetValue(supernetDir)!);
            int n = CommonOptions.InRange(parse.GetValue(samples), 2, Search.ISearchSettings.MaxEvaluations, "--samples");
            int e = CommonOptions.InRange(parse.GetValue(epochs), 1, Training.TrainingOptions.MaxEpochs, "--epochs");
            int? steps = parse.GetValue(maxSteps) is { } s ? CommonOptions.AtLeast(s, 1, "--max-steps") : null;
            string dir = OutputPath.Folder(parse.GetValue(output) ?? Path.Combine(folder.Path, "rank-study"));
            var imageFolders = folders.For(parse, Data.DatasetSpec.Parse(folder.Dataset), folder.Input, run, SupernetData.Card(folder).TestSize);
            var result = new RankStudy(folder, parse.GetValue(dataDir), dir, new LogLineProgress(), line => Console.Error.WriteLine(line), imageFolders)
                .Run(n, e, steps, run.SeedOr(parse), parse.GetValue(spread));
            if (run.WantsJson(parse)) Console.WriteLine(result.ToJsonString());
            else Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{n} subnets: Kendall tau {result["kendall_tau"]!.GetValue<double>():F3}, Spearman rho {result["spearman_rho"]!.GetValue<double>():F3} (inherited vs trained alone, held-out accuracy); {Path.Combine(dir, "rank_study.json")}"));
            return ExitCodes.Success;
        });
        return command;
    }
}
