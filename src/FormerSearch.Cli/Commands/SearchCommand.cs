using System.CommandLine;
using System.Globalization;
using FormerSearch.Cli.Progress;
using FormerSearch.Models;
using FormerSearch.Pipeline;
using FormerSearch.Spaces;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former search</c>: the main job. With no options: a BurgerFormer <c>mini</c> supernet trained with hybrid sampling on
/// Fashion-MNIST, evolution under the default MACs budget, the best subnet extracted, fine-tuned and tested; study,
/// weights, architecture, summary and report in one folder. <c>--json</c> prints
/// <c>{"output", "best": {"arch", "params", "macs", "val_acc", "test_acc", …}}</c>. The options and their defaults
/// (the presets' settings) are <see cref="SearchOptions"/>.
/// </summary>
public static class SearchCommand
{
    public static Command Create()
    {
        var options = new SearchOptions();
        var command = new Command("search", "Supernet training, search under a budget, extraction, fine-tuning, test and report, end to end.");
        options.AddTo(command);
        command.SetAction(parse =>
        {
            options.Run.ApplyThreads(parse);
            var settings = options.Settings(parse);
            OutputPath.Folder(settings.Output);
            MemoryBudget.CheckSupernet(SearchSpaces.Create(settings.Space, settings.SpacePreset), settings.BatchSize);
            var reporter = new ImageFolderReporter(options.Run.WantsBar(parse), options.Run.WantsJson(parse));
            var summary = new SearchPipeline(settings, new LogLineProgress(), line => Console.Error.WriteLine(line), reporter).Run(options.Resume(parse));
            if (options.Run.WantsJson(parse)) Console.WriteLine(summary.ToJsonString());
            else if (settings.WorkersOnly) Console.WriteLine($"worker: evaluated {summary["evaluated_here"]} of the {summary["evaluated"]} candidates of run {summary["run"]} in {summary["study"]}");
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
}
